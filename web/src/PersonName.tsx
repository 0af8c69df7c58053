// A person named by email in the preview: their name with the email on hover, or the email
// itself when nobody by that email is known. Emails never break mid-word (class "email").
import { splitEmails } from "./logic/changeView";
import type { NameBook } from "./logic/names";

export function Email({ email }: { email: string }) {
  return <span class="email">{email}</span>;
}

export function PersonName({ email, book }: { email: string; book: NameBook }) {
  const name = book.name(email);
  if (!name) return <Email email={email} />;
  return (
    <span class="person-name" title={email}>
      {name}
      <span class="visually-hidden"> ({email})</span>
    </span>
  );
}

/** Text with its emails kept whole (never broken mid-word). */
export function EmailText({ text }: { text: string }) {
  return <>{splitEmails(text).map((part, i) => (part.email ? <span key={i} class="email">{part.text}</span> : part.text))}</>;
}
