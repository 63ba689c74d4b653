/*
** xml.c -- the expat driver the XML loaders share (UN, OFAC advanced, EU).
**
** Streams a kpw_input into expat in 256 KiB pieces (XML_GetBuffer, so the
** input is read straight into expat's buffer) and calls the loader back at
** element start (local name + attributes) and end (local name + the text
** accumulated since the element's last child started, i.e. its leaf text).
**
** Safety: no external entities or DTDs are ever loaded (no external entity
** handler, parameter entity parsing off) and any entity declaration aborts
** the parse, which also rules out entity-expansion bombs. Text per element is
** capped (KPW_XML_MAX_TEXT); element nesting depth is capped. Errors carry
** the source name, expat's line number and byte offset.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <expat.h>
#include "lists/lists_internal.h"

#define KPW_XML_CHUNK (256u * 1024u)
#define KPW_XML_MAX_TEXT (4u * 1024u * 1024u)
#define KPW_XML_MAX_DEPTH 256

struct kpw_xml {
  XML_Parser p;
  const char *source;
  kpw_error *err;
  kpw_result res;
  kpw_buf text;
  int depth;
  kpw_xml_start_fn start;
  kpw_xml_end_fn end;
  void *ud;
};

static const char *local_name(const char *n) {
  const char *c = strrchr(n, ':');
  return c ? c + 1 : n;
}

const char *kpw_xml_attr(const char **atts, const char *name) {
  for (int i = 0; atts && atts[i]; i += 2)
    if (strcmp(local_name(atts[i]), name) == 0) return atts[i + 1];
  return NULL;
}

uint64_t kpw_xml_line(const kpw_xml *x) { return (uint64_t)XML_GetCurrentLineNumber(x->p); }

void kpw_xml_fail(kpw_xml *x, const char *fmt, ...) {
  if (x->res != KPW_OK) return;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  XML_Index off = XML_GetCurrentByteIndex(x->p);
  x->res = kpw_error_set(x->err, KPW_EINPUT, x->source, kpw_xml_line(x),
                         off < 0 ? 0 : (uint64_t)off, "%s", msg);
  XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  kpw_xml *x = ud;
  if (x->res != KPW_OK) return;
  if (++x->depth > KPW_XML_MAX_DEPTH) { kpw_xml_fail(x, "XML nesting deeper than %d", KPW_XML_MAX_DEPTH); return; }
  kpw_buf_reset(&x->text);
  x->start(x, x->ud, local_name(name), (const char **)atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
  kpw_xml *x = ud;
  if (x->res != KPW_OK) return;
  x->depth--;
  x->end(x, x->ud, local_name(name), x->text.data ? x->text.data : "", x->text.len);
  kpw_buf_reset(&x->text);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
  kpw_xml *x = ud;
  if (x->res != KPW_OK || len <= 0) return;
  if (x->text.len + (size_t)len > KPW_XML_MAX_TEXT) {
    kpw_xml_fail(x, "element text longer than %u bytes", KPW_XML_MAX_TEXT);
    return;
  }
  kpw_buf_put(&x->text, s, (size_t)len);
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *system_id, const XML_Char *public_id,
                                   const XML_Char *notation) {
  (void)is_param; (void)value; (void)value_len; (void)base; (void)system_id;
  (void)public_id; (void)notation;
  kpw_xml_fail(ud, "entity declarations are not allowed (entity '%s')", name);
}

kpw_result kpw_xml_run(kpw_input *in, const char *source, kpw_xml_start_fn start,
                       kpw_xml_end_fn end, void *ud, kpw_error *err) {
  kpw_xml x;
  memset(&x, 0, sizeof x);
  x.source = source;
  x.err = err;
  x.start = start;
  x.end = end;
  x.ud = ud;
  kpw_buf_init(&x.text);
  x.p = XML_ParserCreate(NULL);
  if (!x.p) return kpw_error_set(err, KPW_ENOMEM, source, 0, 0, "cannot create XML parser");
  XML_SetUserData(x.p, &x);
  XML_SetElementHandler(x.p, on_start, on_end);
  XML_SetCharacterDataHandler(x.p, on_text);
  XML_SetEntityDeclHandler(x.p, on_entity_decl);
  XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);

  kpw_result r = KPW_OK;
  for (;;) {
    void *buf = XML_GetBuffer(x.p, KPW_XML_CHUNK);
    if (!buf) { r = kpw_error_set(err, KPW_ENOMEM, source, 0, 0, "XML buffer allocation failed"); break; }
    size_t got = 0;
    kpw_result rr = kpw_input_read(in, buf, KPW_XML_CHUNK, &got, err);
    if (rr != KPW_OK) {
      /* Decompression or read error: keep its message, add the XML line. */
      if (err) err->line = (uint64_t)XML_GetCurrentLineNumber(x.p);
      r = rr;
      break;
    }
    enum XML_Status st = XML_ParseBuffer(x.p, (int)got, got == 0);
    if (x.res != KPW_OK) { r = x.res; break; }
    if (st == XML_STATUS_ERROR) {
      XML_Index off = XML_GetCurrentByteIndex(x.p);
      r = kpw_error_set(err, KPW_EINPUT, source, (uint64_t)XML_GetCurrentLineNumber(x.p),
                        off < 0 ? 0 : (uint64_t)off, "invalid XML: %s (column %lu)",
                        XML_ErrorString(XML_GetErrorCode(x.p)),
                        (unsigned long)XML_GetCurrentColumnNumber(x.p));
      break;
    }
    if (got == 0) break;
  }
  XML_ParserFree(x.p);
  kpw_buf_free(&x.text);
  return r;
}
