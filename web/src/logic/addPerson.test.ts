import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PersonSchema } from "../gen/staffsync/v1/directory_pb";
import { addedNotice, addPersonProblems, addPersonRequest, emptyAddPersonForm } from "./addPerson";

describe("add person form", () => {
  it("requires first name, last name and a plausible login email", () => {
    expect(addPersonProblems(emptyAddPersonForm)).toEqual({
      firstName: "Enter the first name.",
      lastName: "Enter the last name.",
      email: "Enter the login email.",
    });
    const form = { ...emptyAddPersonForm, firstName: "Ann", lastName: "Lee", email: "ann.lee@example" };
    expect(addPersonProblems(form)).toEqual({ email: '"ann.lee@example" is not an email address, e.g. ann.lee@example.com.' });
    expect(addPersonProblems({ ...form, email: " ann.lee@example.com " })).toEqual({});
    expect(addPersonProblems({ ...form, firstName: "x".repeat(1001), email: "a@b.co" }).firstName).toBe("The first name is too long.");
  });

  it("sends the filled fields only, trimmed, and the welcome toggle", () => {
    const req = addPersonRequest({ ...emptyAddPersonForm, firstName: " Ann ", lastName: "Lee", email: "ann@x.example", managerEmail: "ida@x.example", sendWelcomeEmail: false });
    expect(req.fields.map((f) => [f.field, f.value, f.clear])).toEqual([
      ["first_name", "Ann", false],
      ["last_name", "Lee", false],
      ["email", "ann@x.example", false],
      ["manager_email", "ida@x.example", false],
    ]);
    expect(req.sendWelcomeEmail).toBe(false);
    expect(addPersonRequest(emptyAddPersonForm).sendWelcomeEmail).toBe(true);
  });

  it("says whether the welcome email went out", () => {
    const person = create(PersonSchema, { firstName: "Ann", lastName: "Lee" });
    expect(addedNotice({ person, welcomeEmailQueued: true, warnings: [] }, true)).toBe("Ann Lee is added. A welcome email is on its way.");
    expect(addedNotice({ person, welcomeEmailQueued: false, warnings: ["Manager is deactivated."] }, false))
      .toBe("Ann Lee is added. No welcome email yet: send it from the directory when you are ready. Manager is deactivated.");
    expect(addedNotice({ person, welcomeEmailQueued: false, warnings: [] }, true)).toBe("Ann Lee is added. No welcome email was sent.");
  });
});
