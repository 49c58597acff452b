"""What interview series register: articles, series and tag pages (model step), the
template context of articles and listings, and one Atom feed per series and language."""

from mmsite.features.feeds import shown_routes, write_feeds
from mmsite.features.registry import Feature, Output
from mmsite.features.series.model import ARTICLE, SERIES_INDEX, series_step
from mmsite.features.series.views import context

FEATURE = Feature(
    "series",
    model=(series_step,),
    context=(context,),
    outputs=(Output("feeds", write_feeds, switch="feeds", shows=shown_routes),),
    front_matter=(ARTICLE, SERIES_INDEX),
)
