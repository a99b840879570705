/*
 * exml.h — EDI⇄XML: X12 to EDI-XML and back, losslessly at the segment
 * level. With libxml2 (this module owns it, with guide_load.c).
 *
 * EDI-XML:
 *   <x12>
 *     <interchange element="*" component="&gt;" repetition="^" segment="~" suffix="&#10;">
 *       <ISA><ISA01>00</ISA01>...</ISA>
 *       <group>
 *         <GS>...</GS>
 *         <transaction set="850" control="0001" guide="x12/004010/850">
 *           <ST><ST01>850</ST01><ST02>0001</ST02></ST>
 *           <BEG><BEG01>00</BEG01>...</BEG>
 *           <loop id="N1"><N1><N101>ST</N101>...</N1></loop>
 *           ...
 *         </transaction>
 *         <GE>...</GE>
 *       </group>
 *       <IEA>...</IEA>
 *     </interchange>
 *   </x12>
 * Empty elements are left out; a composite is <REF04><REF04-01>..</REF04-01></REF04>;
 * repetitions are repeated elements; a value that is ISO-8859-1 (text
 * modes below) is written decoded with charset="iso-8859-1", which XML to
 * EDI turns back into the same bytes; a value XML cannot carry (control
 * characters, U+FFFE and U+FFFF, bytes that cannot be decoded) is written
 * as hex="..." instead, and a delimiter XML cannot carry (a control
 * character such as 0x1D, a byte of 0x80 and up) as element-hex="1d" (and
 * component-hex, repetition-hex, segment-hex); so are set= and control=
 * (ST01, ST02) when XML cannot carry them: set-hex=, control-hex=.
 */
#ifndef WHARF_EXML_H
#define WHARF_EXML_H

#include "edi/guide.h"
#include "edi/text.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>

/* X12 file ("-": stdin) to EDI-XML on out. Loops come from the set's guide
 * (guide_id, or the base guide for GS08/ST01; flat when there is none). */
int edi_x12_to_xml(FILE *out, const char *path, struct edi_guides *guides, const char *guide_id,
                   enum edi_text_in text, struct edi_err *err);
/* Each transaction set of an X12 stream in memory as its own EDI-XML
 * document (<x12><interchange><ISA/><group><GS/><transaction>), in order,
 * to cb, which owns the document. A negative return from cb stops. The
 * tree is built directly in the parse (no text written and parsed back);
 * it shares nothing with other documents (no dictionary), so a document
 * can go to another thread. */
int edi_x12_to_xml_docs(const char *data, size_t n, struct edi_guides *guides, const char *guide_id,
                        enum edi_text_in text,
                        int (*cb)(void *ctx, xmlDocPtr doc, const struct edi_tx *tx), void *ctx,
                        struct edi_err *err);
/* The sets of an X12 stream kept to be made into their documents later,
 * on another thread: cb gets each set's copy (its own, edi_tx_copy_free),
 * independent of the parser and of the input's bytes, and
 * edi_tx_copy_doc makes from it the document edi_x12_to_xml_docs would
 * have made. The inbound flow's map workers build, map and free each
 * document on one thread: a document made on one thread and read, then
 * freed, on another cost more than its map (issue 18). */
struct edi_tx_copy;
int edi_x12_tx_copies(const char *data, size_t n, enum edi_text_in text,
                      int (*cb)(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx), void *ctx,
                      struct edi_err *err);
int edi_tx_copy_doc(xmlDocPtr *out, const struct edi_tx_copy *c, struct edi_guides *guides,
                    const char *guide_id, enum edi_text_in text, struct edi_err *err);
void edi_tx_copy_free(struct edi_tx_copy *c);
/* The same documents written as text by libxml2's text writer and parsed
 * back, as edi_x12_to_xml_docs built them before it built trees: the
 * reference its trees are compared with (test_exml, fuzz_exml). */
int edi_x12_to_xml_docs_text(const char *data, size_t n, struct edi_guides *guides,
                             const char *guide_id, enum edi_text_in text,
                             int (*cb)(void *ctx, xmlDocPtr doc, const struct edi_tx *tx), void *ctx,
                             struct edi_err *err);
/* An EDI-XML document to X12: <x12> as in edi_xml_to_x12, or a lone
 * <transaction> (what an outbound map writes), written ST to SE with the
 * delimiters d (NULL: * > ^ ~); SE01 is counted, and an empty ST02 gets
 * control. Modifies doc. */
int edi_xml_doc_to_x12(struct edi_buf *out, xmlDocPtr doc, const struct edi_delims *d,
                       const char *control, struct edi_err *err);
/* Puts every value of an outbound EDI-XML document (a map's output) into
 * the partner's character set, in place (text.h): transliterated, or each
 * value that cannot be carried added to f as an element-charset finding.
 * Returns 0, or EDI_ESYNTAX when f got findings. */
int edi_xml_doc_text_x12(xmlDocPtr doc, enum edi_text_out mode, struct edi_findings *f);
/* EDI-XML file ("-": stdin) to X12 in out. */
int edi_xml_to_x12(struct edi_buf *out, const char *path, struct edi_err *err);
/* The same from memory (fuzzing, tests). */
int edi_xml_to_x12_mem(struct edi_buf *out, const char *xml, size_t n, struct edi_err *err);

/* ---- the one way wharf reads XML ---------------------------------------- */

/* LIMIT: XML read through edi_xml_read is at most this large. */
#define EDI_XML_MAX ((size_t)64 << 20)

/* Parses XML from outside (EDI-XML, map inputs, stylesheets, code lists,
 * guides, ERP documents) by one policy: no network, no DTD (a document
 * with a DOCTYPE is refused, so no entity is declared, loaded or expanded:
 * no file read through an entity, no billion laughs), no entity
 * substitution, libxml2's default size limits, and at most EDI_XML_MAX
 * bytes. name is the document's URL (relative imports resolve from it),
 * and how messages name it (NULL: "line N").
 * EDI_ESYNTAX with the line when refused or not well-formed, EDI_ELIMIT
 * when too large. *out belongs to the caller. */
int edi_xml_read(xmlDocPtr *out, const char *data, size_t n, const char *name,
                 struct edi_err *err);
/* The same from a file; EDI_EIO when it cannot be read. */
int edi_xml_read_file(xmlDocPtr *out, const char *path, struct edi_err *err);
/* Puts the policy on a parser context someone else drives (libxslt's
 * loader): the DOCTYPE hook and the options. Returns the options to use. */
int edi_xml_guard(xmlParserCtxtPtr ctx, int options);
/* After a parse with a guarded context: 1 when it met a DOCTYPE. */
int edi_xml_guard_tripped(xmlParserCtxtPtr ctx);

#endif
