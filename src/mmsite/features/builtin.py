"""The built-in features, in the order their steps and outputs run: static files and
resources first (templates ask for fingerprinted names), images before the pages that
show them, then series and the storefront (their pages are routed in this order), the pages 2..N
of their long lists,
SEO, the CMS's /admin/ (before hosting files: aliases must not land on it), hosting
files; search last (it indexes the pages as written, so the outputs before it may run
while the pages render)."""

from mmsite.features.assets import FEATURE as ASSETS
from mmsite.features.cms import FEATURE as CMS
from mmsite.features.commerce.feature import FEATURE as COMMERCE
from mmsite.features.hero import FEATURE as HERO
from mmsite.features.hosting import FEATURE as HOSTING
from mmsite.features.icons import FEATURE as ICONS
from mmsite.features.images import FEATURE as IMAGES
from mmsite.features.pagination import FEATURE as PAGINATION
from mmsite.features.qa import FEATURE as QA
from mmsite.features.registry import Feature, Registry
from mmsite.features.search import FEATURE as SEARCH
from mmsite.features.seo import FEATURE as SEO
from mmsite.features.series.feature import FEATURE as SERIES
from mmsite.features.structured import FEATURE as STRUCTURED
from mmsite.features.translations.feature import FEATURE as TRANSLATIONS
from mmsite.features.uistrings import FEATURE as UI_STRINGS

BUILTIN: tuple[Feature, ...] = (
    ASSETS,
    IMAGES,
    SERIES,
    COMMERCE,
    PAGINATION,
    HERO,
    STRUCTURED,
    QA,
    SEO,
    CMS,
    HOSTING,
    ICONS,
    TRANSLATIONS,
    UI_STRINGS,
    SEARCH,
)


def builtin_registry(*extra: Feature) -> Registry:
    """A registry of the built-in features, then ``extra`` ones (a site's own)."""
    return Registry((*BUILTIN, *extra))
