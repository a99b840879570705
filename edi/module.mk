# edi/: the X12 core (libc; libxml2 only in guide_xml.c and exml.c)
EDI_SRC := edi/util.c edi/x12_tok.c edi/x12_parse.c edi/x12_write.c edi/envelope.c edi/check.c \
           edi/guide.c edi/guide_load.c edi/guide_xml.c edi/guide_cache.c edi/ack.c edi/exml.c edi/text.c
