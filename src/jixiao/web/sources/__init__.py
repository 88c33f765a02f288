"""The file a form was imported from, kept with it (in the database, at most
:data:`jixiao.web.evaluations.uploads.MAX_UPLOAD` bytes), and its pages drawn as
PNG with the boxes of the values read from them (a scan's cells: ``Source.box``)."""
