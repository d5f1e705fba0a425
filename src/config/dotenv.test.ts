import { describe, expect, test } from "bun:test";
import { DotenvSyntaxError, parseDotenv } from "./dotenv.ts";

describe("parseDotenv", () => {
  test.each([
    ["KEY=VALUE", { KEY: "VALUE" }],
    ["export KEY=value", { KEY: "value" }],
    ["  KEY = spaced value  ", { KEY: "spaced value" }],
    ["# a comment\n\nA=1\n  # indented comment\nB=2\n", { A: "1", B: "2" }],
    ["A=1 # trailing comment", { A: "1" }],
    ["A=x#y", { A: "x#y" }],
    ["A=", { A: "" }],
    ['A="quoted # not a comment"', { A: "quoted # not a comment" }],
    ["A='single $HOME \\n'", { A: "single $HOME \\n" }],
    ['A="line\\nbreak \\"q\\" \\\\ \\t"', { A: 'line\nbreak "q" \\ \t' }],
    ['A="two\nlines"\nB=after', { A: "two\nlines", B: "after" }],
    ['A="x" # comment', { A: "x" }],
    ["A=$OTHER ${B}", { A: "$OTHER ${B}" }],
    ["A=1\r\nB=2\r\n", { A: "1", B: "2" }],
    ["A=1\nA=2", { A: "2" }],
    ["URL=postgres://u:p@h/db?x=1", { URL: "postgres://u:p@h/db?x=1" }],
    ["\uFEFFA=bom", { A: "bom" }],
  ] as const)("%j", (text, expected) => {
    expect(parseDotenv(text)).toEqual(expected);
  });

  test.each([
    ["A=1\nnot a pair", "line 2: expected KEY=VALUE"],
    ["1A=x", 'line 1: invalid name "1A"'],
    ["A B=x", 'line 1: invalid name "A B"'],
    ['A="open\nB=2', "line 1: unterminated \" quote"],
    ['A="x" y', "unexpected text after the closing quote"],
  ])("%j is an error naming the line", (text, message) => {
    expect(() => parseDotenv(text)).toThrow(DotenvSyntaxError);
    expect(() => parseDotenv(text)).toThrow(message);
  });
});
