// Bundled in place of `mime-db` (esbuild alias, see infra/advisor-function.ts). axios reaches it through
// form-data -> mime-types, which look up a file name's MIME type when a multipart upload appends a file.
// The advisor never sends multipart bodies, and the 134 KB database would push a bundle over 1 MB.
module.exports = {};
