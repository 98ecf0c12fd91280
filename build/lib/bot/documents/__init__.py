"""Photographed papers: what a Russian document is, read offline before anyone signs it.

    reader.py      read_document(bytes, kinds) -> DocumentReading: the one entry point
    intake.py      type sniffed from the bytes, size caps, refusals
    pdf.py         the first page of a PDF
    preprocess.py  phone photo -> clean black-and-white page
    tesseract.py   the OCR program, through a one-method seam (Ocr)
    recognise.py   phrases found (fuzzy) -> the kind, or "cannot tell"
    reading.py     the outcome value
    wording.py     the reply's first lines, in the reader's language (prompts/documents)

The kinds and their phrases are the editors' (knowledge/documents/, loaded by
bot.knowledge.documents). Neither the image nor its text is ever stored or logged.
"""
