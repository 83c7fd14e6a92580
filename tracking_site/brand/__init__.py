"""The operator's brand: the site's name, logo, accent colour, links and notice, from one TOML file (SITE_BRAND).

Without SITE_BRAND nothing here changes a byte of what the site shows. README, "Your brand", says what the file
holds; docs/brand-example/ is a made-up shop's.
"""
