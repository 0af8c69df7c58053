// Checks an upload before it is sent, so obvious mistakes get an answer at once.
export const maxUploadBytes = 50 * 1024 * 1024;

export type UploadKind = "csv" | "xlsx";

export function uploadKind(fileName: string): UploadKind | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv") || lower.endsWith(".txt") || lower.endsWith(".tsv")) return "csv";
  if (lower.endsWith(".xlsx")) return "xlsx";
  return undefined;
}

/** What is wrong with a file the admin picked, or undefined when it can be uploaded. */
export function uploadProblem(fileName: string, size: number): string | undefined {
  if (uploadKind(fileName) === undefined) {
    if (fileName.toLowerCase().endsWith(".xls")) {
      return `"${fileName}" is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.`;
    }
    return `"${fileName}" is not a CSV or XLSX file. Export the spreadsheet as CSV or XLSX and upload that.`;
  }
  if (size === 0) return `"${fileName}" is empty. Upload a file with a header row and one row per person.`;
  if (size > maxUploadBytes) {
    return `"${fileName}" is ${Math.ceil(size / 1024 / 1024)} MiB; the limit is 50 MiB. Split the file or remove unused columns.`;
  }
  return undefined;
}

/** Pasted CSV text as an upload; a blank paste is refused with what to do. */
export function pastedUpload(text: string): { fileName: string; content: Uint8Array } | { problem: string } {
  if (text.trim() === "") return { problem: "Paste the rows including the header row, or pick a file instead." };
  const content = new TextEncoder().encode(text.endsWith("\n") ? text : `${text}\n`);
  if (content.length > maxUploadBytes) return { problem: "The pasted text is over 50 MiB. Upload a file instead." };
  return { fileName: "pasted.csv", content };
}
