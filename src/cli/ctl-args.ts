/** The command-line options every ctl command takes (the ctl role itself is src/roles/ctl.ts). */
/** The options every ctl command takes. */
export const CTL_ARGS = {
  socket: { type: "string", alias: "s", description: "Control socket path (else $GUNICORN_COMPANION_SOCKET, else -c's setting)" },
  config: { type: "string", alias: "c", description: "Config file to read companion_control_socket from" },
  json: { type: "boolean", description: "Print the raw JSON reply" },
} as const;
