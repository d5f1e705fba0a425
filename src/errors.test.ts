import { describe, expect, test } from "bun:test";
import { ConfigError, formatConfigIssue, HIDDEN, isSecretName, isSecretPath } from "./errors.ts";

describe("secret names", () => {
  test.each(["DB_PASSWORD", "password", "PASSWD", "mysql_passwd", "api_token", "TOKEN", "client_secret", "SECRET_KEY_BASE", "API_KEY", "apikey", "api-key", "apiKey", "SSH_KEY", "key", "KEY", "private.key", "privateKey", "aws_key_id", "gpg_passphrase", "CREDENTIALS"])(
    "%s is secret",
    (name) => expect(isSecretName(name)).toBe(true),
  );
  test.each(["keepalive", "keep", "monkey", "keyfile", "keys", "turkey_count", "workers", "max_requests", "hotkeys", "companion_workers", "Keyboard", "donkeys"])("%s is not", (name) =>
    expect(isSecretName(name)).toBe(false),
  );
});

describe("secret paths", () => {
  test("anything under env or companion_env, whatever its name", () => {
    expect(isSecretPath("companion_workers[0].env.DB_PASSWORD")).toBe(true);
    expect(isSecretPath("companion_workers[3].env.HOME")).toBe(true);
    expect(isSecretPath("companion_workers[3].env")).toBe(true);
    expect(isSecretPath("companion_env.LANG")).toBe(true);
    expect(isSecretPath("companion_env")).toBe(true);
  });
  test("a secret-looking name anywhere in the path", () => {
    expect(isSecretPath("companion_workers[1].api_token")).toBe(true);
    expect(isSecretPath("keyfile")).toBe(false);
    expect(isSecretPath("env_file")).toBe(false);
    expect(isSecretPath("companion_env_file")).toBe(false);
    expect(isSecretPath("companion_workers[0].stop_signal")).toBe(false);
    expect(isSecretPath("keepalive")).toBe(false);
  });
});

describe("formatConfigIssue", () => {
  test("a secret's value is <hidden>, in the message too", () => {
    const line = formatConfigIssue({ path: "companion_workers[0].env.DB_PASSWORD", companion: "a", value: 912345678, message: "Invalid type: Expected string but received 912345678" });
    expect(line).toBe(`companion_workers[0].env.DB_PASSWORD (companion "a") = ${HIDDEN}: Invalid type: Expected string but received ${HIDDEN}`);
    expect(line).not.toContain("912345678");
  });
  test("a short secret is hidden after 'received' without mangling the rest of the message", () => {
    const line = formatConfigIssue({ path: "api_token", value: 5, message: "must be at least 5 characters, received 5" });
    expect(line).toBe(`api_token = ${HIDDEN}: must be at least 5 characters, received ${HIDDEN}`);
  });
  test("a string secret, quoted or not", () => {
    const line = formatConfigIssue({ path: "companion_env.TOKEN", value: "hunter22", message: 'received "hunter22", hunter22' });
    expect(line).not.toContain("hunter22");
  });
  test("other values are printed as before", () => {
    expect(formatConfigIssue({ path: "workers", value: 5, message: "must be a positive integer" })).toBe("workers = 5: must be a positive integer");
    expect(formatConfigIssue({ path: "companion_workers[0].env.X", message: "is required" })).toBe("companion_workers[0].env.X: is required");
  });
  test("ConfigError's message and lines hide it", () => {
    const error = new ConfigError("c.json", [{ path: "companion_env.DB_PASSWORD", value: 912345678, message: "environment values must be strings" }]);
    expect(error.message).toBe(`c.json: companion_env.DB_PASSWORD = ${HIDDEN}: environment values must be strings`);
    expect(error.lines().join("\n")).not.toContain("912345678");
  });
});
