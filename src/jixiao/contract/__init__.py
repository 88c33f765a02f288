"""The contract: every field of a form by its public path, and the JSON that carries a form.

- :mod:`jixiao.contract.paths`: the grammar of field paths (``indicators[3].score``)
  and getting or setting the value a path names, on the JSON and on the model;
- :mod:`jixiao.contract.fields`: the table of fields — kind, Chinese and English
  name, computed or entered, the template column that prints it;
- :mod:`jixiao.contract.json`: a form → its JSON object and back.

It sits beside :mod:`jixiao.domain`, on the model alone: readers, writers, the
audit, the CLI and the web system ask it; it asks none of them (the one
exception, :class:`jixiao.readers.base.ReadError`, is the error a bad input gets).
"""
