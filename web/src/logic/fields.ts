// Column titles of the import template (import-rules.md section 1), keyed by field name.
const fieldLabels: Record<string, string> = {
  first_name: "First Name",
  last_name: "Last Name",
  gender: "Gender",
  title: "Title",
  email: "Login Email",
  manager_email: "Manager Email",
  department: "Department",
  team: "Team",
  location: "Location",
  employee_id: "Employee ID",
  hire_date: "Hiring Date",
  alt_email: "Alternative Email",
  secondary_manager_email: "Secondary Manager Email",
  preferred_name: "Preferred Name",
  leaving_date: "Leaving Date",
  termination_type: "Termination Type",
  employment_type: "Employment Type",
  status: "Active / Account Status",
};

/** The template's column title for a field name; unknown names are shown as they are. */
export function fieldLabel(field: string): string {
  if (!field) return "Whole row";
  return fieldLabels[field] ?? field;
}

/** How an empty value reads in a diff. */
export function displayValue(value: string): string {
  return value === "" ? "(empty)" : value;
}
