/**
 * Pure: the shell completion scripts `completion bash|zsh|fish` prints. They
 * complete the commands, each command's options, and companion names, which
 * they ask a running manager for: `gunicorn-companion status --json`, with
 * the `-s SOCKET` already typed (else $GUNICORN_COMPANION_SOCKET), names
 * pulled out of the JSON with grep and sed.
 */

/** The shells there is a script for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** One of SHELLS. */
export type Shell = (typeof SHELLS)[number];

const CTL = ["-s", "--socket", "-c", "--config", "--trust-owner", "--json"];
/** What follows a command: companion names, a file, a shell, or nothing. */
type Positional = "names" | "file" | "shell" | "none";

/** Each operator command with its options (test/…: checked against the commands' own definitions) and what its positionals are. */
export const COMPLETION_COMMANDS: Record<string, { options: readonly string[]; positional: Positional }> = {
  master: {
    options: ["-c", "--config", "-b", "--bind", "-w", "--workers", "--timeout", "--graceful-timeout", "--preload", "--max-requests", "--max-requests-jitter", "-p", "--pid",
      "--access-logfile", "--log-level", "--log-format", "--companion-config", "--companion-control-socket", "--check-config"],
    positional: "file",
  },
  status: { options: CTL, positional: "names" },
  start: { options: [...CTL, "--wait", "--no-wait"], positional: "names" },
  stop: { options: [...CTL, "--wait", "--no-wait"], positional: "names" },
  restart: { options: [...CTL, "--wait", "--no-wait"], positional: "names" },
  signal: { options: CTL, positional: "names" },
  reread: { options: CTL, positional: "none" },
  logs: { options: [...CTL, "-n", "--lines", "-f", "--follow", "--stderr"], positional: "names" },
  check: { options: ["-c", "--config"], positional: "file" },
  "systemd-unit": { options: ["-c", "--config", "--user"], positional: "none" },
  completion: { options: [], positional: "shell" },
};

const COMMANDS = Object.keys(COMPLETION_COMMANDS);
/** Options that take a file or socket path. */
const PATH_OPTIONS = ["-s", "--socket", "-c", "--config", "-p", "--pid", "--access-logfile", "--companion-config", "--companion-control-socket"];
const byPositional = (kind: Positional) => COMMANDS.filter((name) => COMPLETION_COMMANDS[name]?.positional === kind);
/** The shell pipeline printing one companion name a line from `status --json` on stdin. */
const NAMES_FILTER = `grep -o '"name": *"[^"]*"' | sed 's/.*"\\([^"]*\\)"$/\\1/'`;

function bash(): string {
  const cases = COMMANDS.map((name) => `    ${name}) opts="${(COMPLETION_COMMANDS[name]?.options ?? []).join(" ")} --help" ;;`).join("\n");
  return `# gunicorn-companion completion for bash: eval "$(gunicorn-companion completion bash)"
_gunicorn_companion_names() {
  local sock="" i
  for ((i = 1; i < \${#COMP_WORDS[@]}; i++)); do
    case "\${COMP_WORDS[i]}" in
      -s|--socket) sock="\${COMP_WORDS[i+1]}" ;;
      --socket=*) sock="\${COMP_WORDS[i]#--socket=}" ;;
    esac
  done
  "\${COMP_WORDS[0]}" status --json \${sock:+-s "$sock"} 2>/dev/null | ${NAMES_FILTER}
}
_gunicorn_companion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" opts="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -s|--socket|-c|--config|--trust-owner) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    ${PATH_OPTIONS.join("|")}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --trust-owner) COMPREPLY=($(compgen -u -- "$cur")); return ;;
  esac
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "-s --socket -c --config --trust-owner --help --version" -- "$cur"))
    else COMPREPLY=($(compgen -W "${COMMANDS.join(" ")}" -- "$cur")); fi
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi
  case "$cmd" in
    ${byPositional("names").join("|")}) COMPREPLY=($(compgen -W "$(_gunicorn_companion_names) all" -- "$cur")) ;;
    ${byPositional("file").join("|")}) COMPREPLY=($(compgen -f -- "$cur")) ;;
    ${byPositional("shell").join("|")}) COMPREPLY=($(compgen -W "${SHELLS.join(" ")}" -- "$cur")) ;;
  esac
}
complete -F _gunicorn_companion gunicorn-companion
`;
}

function zsh(): string {
  const cases = COMMANDS.map((name) => `      ${name}) opts=(${(COMPLETION_COMMANDS[name]?.options ?? []).join(" ")} --help) ;;`).join("\n");
  return `#compdef gunicorn-companion
# gunicorn-companion completion for zsh: gunicorn-companion completion zsh > "\${fpath[1]}/_gunicorn-companion"
_gunicorn_companion_names() {
  local sock=\${words[(i)-s]}
  if (( sock < CURRENT )); then sock=\${words[sock+1]}; else sock=""; fi
  \${words[1]} status --json \${sock:+-s $sock} 2>/dev/null | ${NAMES_FILTER}
}
_gunicorn_companion() {
  local cmd="" i
  local -a opts
  for ((i = 2; i < CURRENT; i++)); do
    case $words[i] in
      -s|--socket|-c|--config|--trust-owner) ((i++)) ;;
      -*) ;;
      *) cmd=$words[i]; break ;;
    esac
  done
  case $words[CURRENT-1] in
    ${PATH_OPTIONS.join("|")}) _files; return ;;
    --trust-owner) _users; return ;;
  esac
  if [[ -z $cmd ]]; then
    if [[ $PREFIX == -* ]]; then compadd -- -s --socket -c --config --trust-owner --help --version
    else compadd -- ${COMMANDS.join(" ")}; fi
    return
  fi
  case $cmd in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then compadd -- $opts; return; fi
  case $cmd in
    ${byPositional("names").join("|")}) compadd -- \${(f)"$(_gunicorn_companion_names)"} all ;;
    ${byPositional("file").join("|")}) _files ;;
    ${byPositional("shell").join("|")}) compadd -- ${SHELLS.join(" ")} ;;
  esac
}
compdef _gunicorn_companion gunicorn-companion
`;
}

function fish(): string {
  const c = "complete -c gunicorn-companion";
  const noCommand = `not __fish_seen_subcommand_from ${COMMANDS.join(" ")}`;
  const lines = [
    "# gunicorn-companion completion for fish: gunicorn-companion completion fish > ~/.config/fish/completions/gunicorn-companion.fish",
    "function __gunicorn_companion_names",
    "    set -l tokens (commandline -opc)",
    "    set -l sock",
    "    set -l i (contains -i -- -s $tokens; or contains -i -- --socket $tokens)",
    "    if test -n \"$i\"; set sock -s $tokens[(math $i + 1)]; end",
    `    $tokens[1] status --json $sock 2>/dev/null | ${NAMES_FILTER}`,
    "end",
    `${c} -f`,
    ...COMMANDS.map((name) => `${c} -n '${noCommand}' -a ${name}`),
    ...COMMANDS.flatMap((name) =>
      (COMPLETION_COMMANDS[name]?.options ?? []).map((option) =>
        option.startsWith("--") ? `${c} -n '__fish_seen_subcommand_from ${name}' -l ${option.slice(2)}` : `${c} -n '__fish_seen_subcommand_from ${name}' -o ${option.slice(1)}`,
      ),
    ),
    `${c} -n '__fish_seen_subcommand_from ${byPositional("names").join(" ")}' -a '(__gunicorn_companion_names) all'`,
    `${c} -n '__fish_seen_subcommand_from ${byPositional("file").join(" ")}' -F`,
    `${c} -n '__fish_seen_subcommand_from ${byPositional("shell").join(" ")}' -a '${SHELLS.join(" ")}'`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The completion script for `shell`. */
export function renderCompletion(shell: Shell): string {
  return shell === "bash" ? bash() : shell === "zsh" ? zsh() : fish();
}
