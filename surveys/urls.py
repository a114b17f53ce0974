"""The surveys' URLs under /surveys/. The link and results URLs are a contract (emails, the
reports app, scripts): see README "Surveys"."""

from .views import answer, results, rounds

app_name = "surveys"

# Fixed paths (thanks/, link/, new/) before the round's own "<slug>/" paths.
urlpatterns = [*answer.urlpatterns, *rounds.urlpatterns, *results.urlpatterns]
