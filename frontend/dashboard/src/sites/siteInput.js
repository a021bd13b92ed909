// A site's form values as the API takes them. The server validates names and origins and
// names the field at fault, so nothing is checked here that it would answer better.

/** The origins typed one a line, blank lines and surrounding spaces left out. */
export function originLines(text) {
  return text.split('\n').map((o) => o.trim()).filter(Boolean);
}

/** The createSite input for the new-site form {name, allowedOrigins}. */
export function newSiteInput(form) {
  return { name: form.name.trim(), allowedOrigins: originLines(form.allowedOrigins) };
}
