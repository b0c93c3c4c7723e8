"""Named analyses of the graph. Each returns a pandas DataFrame whose rows carry
their evidence in a ``why`` column; none prints.
"""

__all__: list[str] = []
