"""The files ``mmsite new`` writes beside the content so the site deploys from its own
repository: a GitHub Actions workflow (build + check on pull requests, GitHub Pages on the
default branch), ``requirements.txt`` pinning the mmsite that made the site, a
``netlify.toml``, a ``.gitignore``; and the next steps printed after ``new``.

Actions are pinned by commit SHA (a moved tag cannot change what runs); the comment names
the release each SHA is. Update them together with Dependabot or by hand.
"""

from __future__ import annotations

import re

from mmsite import __version__

# owner/name -> (commit, release): the commit each release tag points at.
ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/configure-pages": ("983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0"),
    "actions/upload-pages-artifact": ("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/deploy-pages": ("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
}
PYTHON = "3.12"


def uses(action: str) -> str:
    commit, release = ACTIONS[action]
    return f"{action}@{commit} # {release}"


WORKFLOW_TEMPLATE = """\
# Build and check the site on every pull request; on the default branch, publish it on
# GitHub Pages (Settings > Pages > Source: "GitHub Actions"). Deploys only when
# `mmsite build` and `mmsite check` both pass. Other hosts: netlify.toml, or see
# "Deploying" in the mmsite documentation (Cloudflare Pages, S3, R2).
name: Site

on:
  pull_request:
  push:
    branches: [main, master]
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: site-${{ github.ref }}
  cancel-in-progress: ${{ github.event_name == 'pull_request' }}

jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: USES(actions/checkout)
        with:
          fetch-depth: 0  # sitemap lastmod is each file's last commit: needs the history
          persist-credentials: false

      - uses: USES(actions/setup-python)
        with:
          python-version: "PYTHON"
          cache: pip
          cache-dependency-path: requirements.txt

      - name: Install mmsite
        run: pip install -r requirements.txt

      - name: Configure Pages
        id: pages
        if: github.event_name != 'pull_request'
        uses: USES(actions/configure-pages)

      # Unchanged pages are not rendered again: .mmsite-cache/ (build state, processed
      # images) comes from the latest run; each run saves its own under a new key. The
      # key that signs it (~/.cache/mmsite) travels with it: a cache mmsite did not sign
      # with its key is never loaded (the build would be cold every run).
      - name: Restore the build cache
        uses: USES(actions/cache)
        with:
          path: |
            .mmsite-cache
            ~/.cache/mmsite
          key: mmsite-${{ runner.os }}-${{ hashFiles('requirements.txt') }}-${{ github.run_id }}
          restore-keys: |
            mmsite-${{ runner.os }}-${{ hashFiles('requirements.txt') }}-
            mmsite-${{ runner.os }}-

      - name: Build
        run: mmsite build ${BASE_URL:+--base-url "$BASE_URL/"}
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}

      - name: Check
        run: mmsite check ${BASE_URL:+--base-url "$BASE_URL/"}
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}

      - name: Upload the site
        if: github.event_name != 'pull_request'
        uses: USES(actions/upload-pages-artifact)
        with:
          path: public

  deploy:
    needs: build
    if: >-
      github.event_name != 'pull_request' &&
      github.ref_name == github.event.repository.default_branch
    runs-on: ubuntu-latest
    timeout-minutes: 10
    concurrency:
      group: pages
      cancel-in-progress: false
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: USES(actions/deploy-pages)
"""

WORKFLOW = re.sub(r"USES\(([\w/-]+)\)", lambda m: uses(m.group(1)), WORKFLOW_TEMPLATE).replace(
    '"PYTHON"', f'"{PYTHON}"'
)

NETLIFY = f'''\
# Netlify reads this file (Site configuration > Build & deploy takes it from here).
[build]
  command = "pip install -r requirements.txt && mmsite build && mmsite check"
  publish = "public"

[build.environment]
  PYTHON_VERSION = "{PYTHON}"

# Deploy previews live at their own address: build every absolute URL for it.
[context.deploy-preview]
  command = """
pip install -r requirements.txt \\
  && mmsite build --base-url "$DEPLOY_PRIME_URL/" && mmsite check --base-url "$DEPLOY_PRIME_URL/"
"""

# Netlify serves only the root 404.html by itself: one block per language folder.
[[redirects]]
  from = "/fr/*"
  to = "/fr/404.html"
  status = 404
'''

GITIGNORE = """\
# Built by mmsite: public/ is rebuilt from the sources, .mmsite-cache/ speeds builds up.
/public/
/.public.*/
.mmsite-cache/
__pycache__/
.venv/
"""


def deploy_files() -> dict[str, str]:
    """Relative path -> text of the files that make a new site deploy."""
    return {
        ".gitignore": GITIGNORE,
        "requirements.txt": f"# The mmsite that made this site; CI installs exactly this.\n"
        f"mmsite=={__version__}\n",
        ".github/workflows/site.yml": WORKFLOW,
        "netlify.toml": NETLIFY,
    }


def next_steps(folder: str) -> str:
    return f"""
Next steps:
  cd {folder}
  mmsite serve                  # preview at http://127.0.0.1:8000/, rebuilt as you edit
  set base_url in site.yaml to your domain, replace the checkout link in content/products/
  git init && git add -A && git commit -m "New shop"
  push to GitHub, then Settings > Pages > Source: GitHub Actions
    (.github/workflows/site.yml checks pull requests and deploys the default branch)
  Netlify: netlify.toml is ready. Cloudflare Pages settings, and S3 or R2 with
    `mmsite deploy s3://BUCKET`: docs/deploy.md in the mmsite repository.
"""
