import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: ["src/components/Link.tsx"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "next/link", message: "Use Link from ~/components/Link: it does not prefetch every page in view." }] }],
    },
  },
  { ignores: [".next/**", ".next-e2e/**", ".next-e2e-dev/**", ".next-soak/**", ".next-lighthouse/**", ".lighthouse-baseline/**", ".next-analyze/**", ".size-floor/**", ".bench-app/**", ".data/**", "src/generated/**", "tools/studio/**", "next-env.d.ts", "tests/.tmp/**"] },
];

export default config;
