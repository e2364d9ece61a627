"""Looking inside a book model, from its real weights only (DESIGN.md, "Looking inside").

A neuron j = h * N + k is head h's sparse unit k; layers share their weights,
so it is the same neuron in every layer.  ``activity`` reads one text,
``reading`` streams a book sample through a model, ``neurons`` and
``concepts`` scan it, ``graph`` reads the neuron graph off the weights;
``progress`` is how each reports and where its caller may cancel it.
"""
