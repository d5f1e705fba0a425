// The example for Node 20, which cannot load TypeScript: a .mjs config and .mjs targets.
//   npm run build && node dist/node/cli.mjs master -c examples/node/gunicorn.conf.mjs
export const companion_control_socket = process.env.EXAMPLE_SOCKET ?? "/tmp/gunicorn-companion-example.sock";
export const companion_startsecs = 0.5;
export const companion_workers = [
  { name: "heartbeat", target: "./examples/node/jobs.mjs:heartbeat", stop_timeout: 2 },
];
