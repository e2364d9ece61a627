"""Concept search's plot at the size it has in a 1024x700 window."""

import numpy as np

from bdh_studio.core.inspection.concepts import ConceptResult, Selectivity
from bdh_studio.gui.inspect.concept_view import ConceptView
from shown import shown


def selectivity(rng, n):
    return Selectivity(rng.uniform(0.3, 0.9, n), rng.normal(0, 0.01, n))


def test_the_legend_sits_off_the_auc_curves(qtbot):
    """Inside the plot it covered the curves' ends at 1024x700."""
    view = shown(qtbot, ConceptView(), 690, 330)
    rng = np.random.default_rng(0)
    view.show_result(ConceptResult("Cordelia", 1, "x", 64, 40, 4000,
                                   selectivity(rng, 128), selectivity(rng, 128)))
    seen = view.curve.mapToScene(view.curve.viewport().rect()).boundingRect()

    def legend_beside_the_curves() -> bool:
        legend = view.legend.sceneBoundingRect()
        labels = [label.sceneBoundingRect() for _, label in view.legend.items]
        return (len(labels) == 2 and view.auc_plot.vb.sceneBoundingRect().height() >= 80
                and not legend.intersects(view.auc_plot.vb.sceneBoundingRect())
                and all(seen.contains(r) for r in labels))
    qtbot.waitUntil(legend_beside_the_curves, timeout=10_000)  # once laid out
