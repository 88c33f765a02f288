"""The JSON contract as a writer: :mod:`jixiao.contract.json` owns it; the names
stay importable from here for the callers that write files."""

from jixiao.contract.json import dumps, evaluation_dict, figure, target_dict

__all__ = ["dumps", "evaluation_dict", "figure", "target_dict"]
