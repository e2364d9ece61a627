"""The neuron view's histogram: quarter-octave bins drawn as a density on the log axis."""

import numpy as np
import pyqtgraph as pg

from bdh_studio.core.inspection.neurons import EDGES, NeuronScan, ScanSettings
from bdh_studio.core.inspection.reading import BookSample
from bdh_studio.gui.inspect.neuron_view import NeuronView


def test_activations_even_on_the_log_axis_draw_bars_of_one_height(qtbot):
    """Bins of 1-1.25 and 1.75-2 differ 1.7x in log width: raw counts drew a sawtooth."""
    widths = np.diff(np.log10(EDGES[1:].numpy()))
    histogram = np.zeros((1, len(EDGES) + 1), np.int64)
    histogram[0, 2:-1] = np.round(1e6 * widths)  # as many per bin as its share of the axis
    sample = BookSample("book", "0" * 64, np.zeros((1, 8), np.uint8), np.zeros(1, np.int64))
    scan = NeuronScan(ScanSettings(layer=0), sample, 1, np.zeros((1, 1)),
                      np.zeros((1, 1), np.int64), histogram, np.zeros((1, 256)))
    view = NeuronView()
    qtbot.addWidget(view)
    view.show_scan(scan)
    bars = [i for i in view.histogram.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    heights = bars[0].opts["height"]
    assert len(bars) == 1 and len(heights) == len(widths)
    assert heights.max() / heights.min() < 1.001
