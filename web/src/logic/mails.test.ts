import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PersonRefSchema } from "../gen/staffsync/v1/directory_pb";
import { passwordNotice, welcomeNotice } from "./mails";

const ref = (name: string) => create(PersonRefSchema, { name, email: `${name.toLowerCase()}@x.example` });

describe("mail notices", () => {
  it("names who gets a welcome mail and who was left out", () => {
    expect(welcomeNotice({ queued: [ref("Ann"), ref("Bo")], skipped: [ref("Cy")], warnings: [] }))
      .toBe("Welcome mails are on their way to 2 people: Ann and Bo. Left out (deactivated): Cy.");
    expect(welcomeNotice({ queued: [ref("A"), ref("B"), ref("C"), ref("D"), ref("E")], skipped: [], warnings: ["w."] }))
      .toBe("Welcome mails are on their way to 5 people: A, B, C and 2 more. w.");
    expect(welcomeNotice({ queued: [], skipped: [], warnings: [] })).toMatch(/^No welcome mails to send/);
  });

  it("answers a password mail", () => {
    expect(passwordNotice("Ann Lee", { queued: [ref("Ann")], warnings: [] })).toBe("A password mail is on its way to Ann Lee.");
    expect(passwordNotice("Ann Lee", { queued: [], warnings: ["Ann is deactivated."] })).toBe("No password mail was sent to Ann Lee. Ann is deactivated.");
  });
});
