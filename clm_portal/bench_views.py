"""The benchmark's floor: a signed-in page that renders a tiny template and runs no query beyond
the session and the user (see bench/README.md). Every key page's p95 is compared with its p95 in
the same run."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def bench_trivial(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/trivial.html", {"name": request.user.get_short_name()})
