/*
** ais_bits.h -- internal: the AIS message payload as a bit string, and the
** contract between the message-type decoders of lib/ais/.
**
** A payload is the reassembled armored 6-bit text of all fragments minus
** the fill bits. ais_unarmor turns it into bytes holding the bits MSB first
** (bit 0 is the top bit of byte 0). Readers never read past nbits: a field
** that runs past the end reads as if the missing bits were 0, and callers
** check `nbits` against each type's length first (gpsd's rules: a message
** shorter than its type's minimum is rejected, longer is accepted).
**
** Every per-type decoder writes the message's JSON members AFTER the common
** prefix {"class":"AIS","type":N,"repeat":R,"mmsi":M,"scaled":B — each
** member it writes starts with ',' — using gpsd's field names and, with
** scaled=false, gpsd's raw integer units (as `gpsdecode -u`/the daemon's
** .chk goldens print them); with scaled=true, degrees, knots, metres as
** `gpsdecode` prints them by default.
*/
#ifndef KPW_AIS_BITS_H
#define KPW_AIS_BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kpw/util.h"

#define AIS_MAX_BITS (8 * 128 * 6)   /* 5 fragments x 82 chars x 6 bits fits */

typedef struct ais_bits {
  uint8_t data[AIS_MAX_BITS / 8 + 8];
  size_t nbits;
} ais_bits;

/* Unsigned field of len (<= 32) bits at start. */
static inline uint32_t ais_u(const ais_bits *b, size_t start, unsigned len) {
  uint64_t v = 0;
  for (unsigned i = 0; i < len; i++) {
    size_t k = start + i;
    unsigned bit = k < b->nbits ? (b->data[k >> 3] >> (7 - (k & 7))) & 1 : 0;
    v = (v << 1) | bit;
  }
  return (uint32_t)v;
}

/* Signed (two's complement) field of len (<= 32) bits at start. */
static inline int32_t ais_s(const ais_bits *b, size_t start, unsigned len) {
  uint32_t u = ais_u(b, start, len);
  if (len < 32 && (u >> (len - 1)) & 1) return (int32_t)(u | ~((1u << len) - 1));
  return (int32_t)u;
}

/* Decoders per message type (implemented in lib/ais/types*.c). Each writes
** its members (see the header comment) and returns false when the message
** is too short for its type (then nothing useful was written and the
** caller drops the message, as gpsd does). */
typedef bool (*ais_type_fn)(const ais_bits *b, bool scaled, kpw_buf *out);

/* Types 6, 8, 25, 26 (binary messages: DAC/FI envelope and the IMO 236/289
** application messages) — lib/ais/types_binary.c. */
bool ais_decode_binary(int type, const ais_bits *b, bool scaled, kpw_buf *out);

/* Shared by nmea.c (framing) and types.c (message decoding). */
struct kpw_ais_message;
typedef struct ais_t24q ais_t24q;          /* bounded type-24 part A/B join queue */
ais_t24q *ais_t24q_new(void);
void ais_t24q_free(ais_t24q *q);
/* Make room in o for one whole message (the appenders write unchecked). */
void ais_reserve(kpw_buf *o);
/* Decode one reassembled payload into o (gpsd JSON object) and m; returns
** 1 written, 0 nothing to emit (a stored type-24 part), -1 rejected. */
int ais_decode_payload(const ais_bits *b, bool scaled, bool split24, kpw_buf *o,
                       struct kpw_ais_message *m, ais_t24q *q);

/* gpsd's six-bit text: chars of 6 bits (0..63 -> "@A..Z[\]^_ !\"#...?"),
** with trailing '@' and spaces removed as gpsd does; out must hold
** len/6 + 1 bytes. The JSON writer escapes it. */
void ais_text(const ais_bits *b, size_t start, unsigned nbits, char *out);

#endif
