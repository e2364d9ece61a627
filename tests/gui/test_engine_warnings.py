"""What the engine warns about reaches the window's banner."""

from bdh_studio.core import events as ev


def test_a_warning_from_the_engine_shows_in_the_banner(window):
    window.on_event(ev.BookWarning("A", "A.pt: damaged: …; kept it as A.pt.unreadable"))
    assert window.banner.isVisible() and "A.pt.unreadable" in window.banner.label.text()
