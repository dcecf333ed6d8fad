// Build the storefront assets into src/tridex/static/build/ (git-ignored; Django's
// collectstatic picks them up from there). Run with `npm run build` inside frontend/.
//
// No bundler: htmx and Alpine ship ready-made minified builds, which are copied as they are
// (Alpine's CSP build: it never evaluates strings, so the Content-Security-Policy needs no
// 'unsafe-eval'; its components are registered by name in src/app.js);
// our own CSS and JS are minified with esbuild's transform API.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "tridex", "static", "build");

const vendor = {
  "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
  "alpine.min.js": "node_modules/@alpinejs/csp/dist/cdn.min.js",
};
const own = {
  "app.css": { src: "src/app.css", loader: "css" },
  "app.js": { src: "src/app.js", loader: "js" },
};

async function main() {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const [name, src] of Object.entries(vendor)) {
    await copyFile(join(here, src), join(out, name));
  }
  for (const [name, { src, loader }] of Object.entries(own)) {
    const code = await readFile(join(here, src), "utf8");
    const result = await transform(code, {
      loader,
      minify: true,
      target: ["chrome100", "safari15", "firefox100"],
      legalComments: "none",
    });
    await writeFile(join(out, name), result.code);
  }
  const sizes = await Promise.all(
    [...Object.keys(vendor), ...Object.keys(own)].map(async (name) => {
      const bytes = (await readFile(join(out, name))).length;
      return `${name} ${(bytes / 1024).toFixed(1)} kB`;
    }),
  );
  console.log(`built ${out}\n  ${sizes.join("\n  ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
