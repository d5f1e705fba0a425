/** The options every ctl command takes (the ctl role itself is src/roles/ctl.ts). */
export const CTL_ARGS = {
  socket: { type: "string", alias: "s", description: "Control socket path (else $GUNICORN_COMPANION_SOCKET, else -c's setting)" },
  config: { type: "string", alias: "c", description: "Config file to read companion_control_socket from (a .js/.ts config runs, so it must be yours, root's or --trust-owner's)" },
  "trust-owner": { type: "string", description: "Also trust this user (name or uid) as the owner of the socket and of a config module (else only you, root and -c's owner)" },
  json: { type: "boolean", description: "Print the raw JSON reply" },
} as const;
