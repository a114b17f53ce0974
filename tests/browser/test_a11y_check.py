"""The accessibility check itself: axe runs in the page and a real violation fails it."""

import pytest

from .a11y import axe_violations, check_a11y
from .journeys import url

pytestmark = pytest.mark.browser


def test_check_a11y_finds_violations_despite_the_content_security_policy(page, live_server):
    page.goto(url(live_server, "/"))
    check_a11y(page)  # the start page is clean
    # An unlabelled input, an image with no text alternative, and a button whose name does
    # not contain its text: the known false positive for the file upload is no wider than it.
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
             '<input type="text" name="nameless"><img src="/nothing.png">'
             + '<button type="button" aria-label="Close">Open the menu</button>')"""
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt", "label-content-name-mismatch"} <= found
    with pytest.raises(AssertionError, match="image-alt"):
        check_a11y(page)
