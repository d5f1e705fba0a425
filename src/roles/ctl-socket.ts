/**
 * Which control socket the ctl talks to, and whom it trusts there
 * (docs/security.md, "The ctl"): `-s`, else $GUNICORN_COMPANION_SOCKET, else
 * `-c FILE`'s companion_control_socket. A `.json` config is read as data; a
 * config module must be imported, which runs its code as the invoking user,
 * so it is imported only when it belongs to that user, root or
 * `--trust-owner`'s user and no one else can write it.
 */
import { statSync } from "node:fs";
import { currentUid } from "../control/socket-dir.ts";
import { checkModuleTrusted, trustedOwners, type TrustedOwners } from "../control/trust.ts";
import { ConfigError, UsageError } from "../errors.ts";
import type { Modules, ProcessInfo } from "../runtime/index.ts";

/** Environment variable naming the control socket for the ctl. */
export const SOCKET_ENV = "GUNICORN_COMPANION_SOCKET";

/** The ctl's options that say where the socket is and whom to trust. */
export interface SocketArgs {
  socket?: string;
  config?: string;
  trustOwner?: string;
}

/** The socket, and the owners the ctl may accept for it. */
export interface ResolvedSocket {
  path: string;
  trusted: TrustedOwners;
}

/** `path` made absolute against `cwd` (node:path is loaded only for `-c`: `-s` calls stay light). */
type Absolute = (cwd: string, path: string) => string;
const loadAbsolute = async (): Promise<Absolute> => {
  const { isAbsolute, resolve } = await import("node:path");
  return (cwd, path) => (isAbsolute(path) ? path : resolve(cwd, path));
};

/** The socket `configFile` names: its companion_config_file's setting when that file has one, else its own. */
async function socketFromConfig(runtime: ProcessInfo & Modules, configFile: string, cwd: string, trusted: TrustedOwners, absolute: Absolute): Promise<string> {
  // Only here is the config reader loaded: plain ctl calls stay light.
  const { readConfigFile } = await import("../config/read-file.ts");
  const read = (file: string) => {
    if (!file.endsWith(".json")) checkModuleTrusted(file, trusted);
    return readConfigFile(runtime, file);
  };
  let source = configFile;
  const main = await read(configFile);
  let socket = main.companion_control_socket;
  const companionFile = main.companion_config_file;
  if (typeof companionFile === "string" && companionFile !== "") {
    const file = absolute(cwd, companionFile);
    const extra = await read(file);
    if (extra.companion_control_socket !== undefined) [socket, source] = [extra.companion_control_socket, file];
  }
  if (socket === undefined || socket === null) throw new UsageError(`${configFile} sets no companion_control_socket`);
  if (typeof socket !== "string" || socket === "") throw new ConfigError(source, [{ path: "companion_control_socket", message: "expected a socket path", value: socket }]);
  return absolute(cwd, socket);
}

/** The control socket the ctl should use, and whom it trusts there (the owner of `-c FILE` too). */
export async function resolveSocket(runtime: ProcessInfo & Modules, args: SocketArgs): Promise<ResolvedSocket> {
  const trusted = trustedOwners(currentUid(), args.trustOwner);
  const cwd = runtime.cwd();
  const absolute = args.config === undefined || args.config === "" ? null : await loadAbsolute();
  const configFile = absolute === null || args.config === undefined ? null : absolute(cwd, args.config);
  const forSocket = new Map(trusted);
  if (configFile !== null) {
    try {
      const owner = statSync(configFile).uid;
      if (!forSocket.has(owner)) forSocket.set(owner, `the owner of ${configFile}`);
    } catch {
      // missing: reading it below says so, when it is read
    }
  }
  if (args.socket !== undefined && args.socket !== "") return { path: args.socket, trusted: forSocket };
  const fromEnv = runtime.env()[SOCKET_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return { path: fromEnv, trusted: forSocket };
  if (configFile !== null && absolute !== null) return { path: await socketFromConfig(runtime, configFile, cwd, trusted, absolute), trusted: forSocket };
  throw new UsageError(`no control socket: pass -s SOCKET, set ${SOCKET_ENV}, or -c CONFIG with companion_control_socket`);
}
