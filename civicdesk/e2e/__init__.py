"""End-to-end tests: real pages in Debian's headless Chromium, driven by Playwright."""
