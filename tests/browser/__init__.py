"""Browser tests: the built HTML opened from disk in headless Chromium (issue 7)."""
