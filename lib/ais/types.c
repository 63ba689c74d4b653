/*
** types.c -- AIS message types 1-5, 7, 9-24 and 27 (ITU-R M.1371-5) into
** gpsd-compatible JSON, and the type-24 part A/B join queue.
**
** Output follows gpsd's json_aivdm_dump field for field: the same member
** names and order, raw integer units with scaled=false (what
** `gpsdecode -u` and the daemon's .chk goldens print) and gpsd's scaled
** renderings otherwise (degrees "%.6f", knots and degrees "%.1f", the
** "nan"/"fast"/"fastleft" legends). The legend texts (*_text) are those of
** current gpsd (the .chk goldens), which differ from Debian 12's gpsd 3.22
** in a few spellings (see docs/cmd-ais-decode.md).
**
** Length rules are gpsd's: below a type's minimum the message is rejected
** (counted as unsupported), above it is accepted; fields past the end read
** as zero bits (ais_bits.h). Types 6, 8, 25, 26 go to ais_decode_binary.
**
** Speed: this is the hot path of `kpwatch ais decode`, so the JSON is
** written with a few inline appenders straight into the reserved tail of
** one reused kpw_buf (no printf), and scaled numbers are produced with
** exact integer arithmetic that matches printf's rounding (see put_deg6).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ais/ais_bits.h"
#include "kpw/ais.h"

/* ------------------------------------------------------------ legends
** gpsd's legend tables (gpsd_json.c), as its current version prints them. */
static const char *const nav_legends[16] = {
  "Under way using engine", "At anchor", "Not under command",
  "Restricted maneuverability", "Constrained by her draught", "Moored",
  "Aground", "Engaged in fishing", "Under way sailing", "Reserved for HSC",
  "Reserved for WIG", "Power-driven vessel towing astern",
  "Power-driven vessel pushing ahead or towing alongside", "Reserved",
  "AIS-SART is active", "Not defined",
};

static const char *const epfd_legends[16] = {
  "Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C", "Chayka",
  "Integrated navigation system", "Surveyed", "Galileo", "INVALID EPFD",
  "INVALID EPFD", "INVALID EPFD", "INVALID EPFD", "INVALID EPFD",
  "INVALID EPFD", "Internal GNSS",
};

#define RFU "Reserved for future use"
static const char *const ship_type_legends[100] = {
  "Not available", RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU,
  RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU,
  "Wing in ground (WIG) - all ships of this type",
  "Wing in ground (WIG) - Hazardous category A",
  "Wing in ground (WIG) - Hazardous category B",
  "Wing in ground (WIG) - Hazardous category C",
  "Wing in ground (WIG) - Hazardous category D",
  "Wing in ground (WIG) - " RFU, "Wing in ground (WIG) - " RFU,
  "Wing in ground (WIG) - " RFU, "Wing in ground (WIG) - " RFU,
  "Wing in ground (WIG) - " RFU,
  "Fishing", "Towing", "Towing: length exceeds 200m or breadth exceeds 25m",
  "Dredging or underwater ops", "Diving ops", "Military ops", "Sailing",
  "Pleasure Craft", "Reserved", "Reserved",
  "High speed craft (HSC) - all ships of this type",
  "High speed craft (HSC) - Hazardous category A",
  "High speed craft (HSC) - Hazardous category B",
  "High speed craft (HSC) - Hazardous category C",
  "High speed craft (HSC) - Hazardous category D",
  "High speed craft (HSC) - " RFU, "High speed craft (HSC) - " RFU,
  "High speed craft (HSC) - " RFU, "High speed craft (HSC) - " RFU,
  "High speed craft (HSC) - No additional information",
  "Pilot Vessel", "Search and Rescue vessel", "Tug", "Port Tender",
  "Anti-pollution equipment", "Law Enforcement", "Spare - Local Vessel",
  "Spare - Local Vessel", "Medical Transport",
  "Ship according to RR Resolution No. 18",
  "Passenger - all ships of this type", "Passenger - Hazardous category A",
  "Passenger - Hazardous category B", "Passenger - Hazardous category C",
  "Passenger - Hazardous category D", "Passenger - " RFU, "Passenger - " RFU,
  "Passenger - " RFU, "Passenger - " RFU, "Passenger - No additional information",
  "Cargo - all ships of this type", "Cargo - Hazardous category A",
  "Cargo - Hazardous category B", "Cargo - Hazardous category C",
  "Cargo - Hazardous category D", "Cargo - " RFU, "Cargo - " RFU,
  "Cargo - " RFU, "Cargo - " RFU, "Cargo - No additional information",
  "Tanker - all ships of this type", "Tanker - Hazardous category A",
  "Tanker - Hazardous category B", "Tanker - Hazardous category C",
  "Tanker - Hazardous category D", "Tanker - " RFU, "Tanker - " RFU,
  "Tanker - " RFU, "Tanker - " RFU, "Tanker - No additional information",
  "Other Type - all ships of this type", "Other Type - Hazardous category A",
  "Other Type - Hazardous category B", "Other Type - Hazardous category C",
  "Other Type - Hazardous category D", "Other Type - " RFU,
  "Other Type - " RFU, "Other Type - " RFU, "Other Type - " RFU,
  "Other Type - no additional information",
};

static const char *const station_type_legends[16] = {
  "All types of mobiles", RFU, "All types of Class B mobile stations",
  "SAR airborne mobile station", "Aid to Navigation station",
  "Class B shipborne mobile station", "Regional use and inland waterways",
  "Regional use and inland waterways", "Regional use and inland waterways",
  "Regional use and inland waterways", RFU, RFU, RFU, RFU, RFU, RFU,
};

static const char *const navaid_type_legends[32] = {
  "Unspecified", "Reference point", "RACON", "Fixed offshore structure",
  "Spare, Reserved for future use.", "Light, without sectors",
  "Light, with sectors", "Leading Light Front", "Leading Light Rear",
  "Beacon, Cardinal N", "Beacon, Cardinal E", "Beacon, Cardinal S",
  "Beacon, Cardinal W", "Beacon, Port hand", "Beacon, Starboard hand",
  "Beacon, Preferred Channel port hand",
  "Beacon, Preferred Channel starboard hand", "Beacon, Isolated danger",
  "Beacon, Safe water", "Beacon, Special mark", "Cardinal Mark N",
  "Cardinal Mark E", "Cardinal Mark S", "Cardinal Mark W", "Port hand Mark",
  "Starboard hand Mark", "Preferred Channel Port hand",
  "Preferred Channel Starboard hand", "Isolated danger", "Safe Water",
  "Special Mark", "Light Vessel / LANBY / Rigs",
};

static const char *shiptype_text(unsigned t) {
  return t < 100 ? ship_type_legends[t] : "INVALID SHIP TYPE";
}

/* ------------------------------------------------------------ writer
** Appenders into the reserved tail of a kpw_buf. ais_reserve() guarantees
** room for one message (the longest member list plus six-bit text of at
** most 168 characters escaped two bytes each is < 2 KiB). */
#define AIS_RESERVE 4096
static const char zeros[AIS_RESERVE];

void ais_reserve(kpw_buf *o) {
  if (o->cap - o->len < AIS_RESERVE + 1) {
    kpw_buf_put(o, zeros, AIS_RESERVE);
    o->len -= AIS_RESERVE;
    o->data[o->len] = 0;
  }
}

static inline void put_mem(kpw_buf *o, const char *s, size_t n) {
  memcpy(o->data + o->len, s, n);
  o->len += n;
}
#define LIT(o, s) put_mem((o), (s), sizeof(s) - 1)

static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline void put_u(kpw_buf *o, uint64_t v) {
  char tmp[24];
  int i = 24;
  while (v >= 100) {
    unsigned r = (unsigned)(v % 100);
    v /= 100;
    tmp[--i] = digits2[2 * r + 1];
    tmp[--i] = digits2[2 * r];
  }
  if (v >= 10) {
    tmp[--i] = digits2[2 * v + 1];
    tmp[--i] = digits2[2 * v];
  } else {
    tmp[--i] = (char)('0' + v);
  }
  put_mem(o, tmp + i, (size_t)(24 - i));
}

static inline void put_i(kpw_buf *o, int64_t v) {
  if (v < 0) { o->data[o->len++] = '-'; put_u(o, (uint64_t)(-(v + 1)) + 1); }
  else put_u(o, (uint64_t)v);
}

/* printf "%0Nu": at least w digits, zero padded. */
static inline void put_nd(kpw_buf *o, uint32_t v, unsigned w) {
  char tmp[12];
  int i = 12;
  do { tmp[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  while (12 - i < (int)w) tmp[--i] = '0';
  put_mem(o, tmp + i, (size_t)(12 - i));
}

static inline void put_bool(kpw_buf *o, bool v) {
  if (v) LIT(o, "true"); else LIT(o, "false");
}

/* v / 10^dec with exactly dec decimals (v already rounded), dec <= 6. */
static void put_fix(kpw_buf *o, int64_t v, unsigned dec) {
  static const uint32_t pow10[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (v < 0) { o->data[o->len++] = '-'; v = -v; }
  uint64_t p = pow10[dec];
  put_u(o, (uint64_t)v / p);
  o->data[o->len++] = '.';
  uint32_t f = (uint32_t)((uint64_t)v % p);
  char *d = o->data + o->len;
  unsigned i = dec;
  for (; i >= 2; i -= 2) {
    unsigned r = f % 100;
    f /= 100;
    d[i - 1] = digits2[2 * r + 1];
    d[i - 2] = digits2[2 * r];
  }
  if (i) d[0] = (char)('0' + f % 10);
  o->len += dec;
}

/* printf("%.6f", raw / 600000.0): raw*5/3 micro-degrees. Its fractional
** part is 0, 1/3 or 2/3, never a tie, so rounding to nearest on the exact
** rational equals printf's rounding of the (very close) double. */
static void put_deg6(kpw_buf *o, int32_t raw) {
  int64_t q = (int64_t)raw * 5;
  int64_t r = q >= 0 ? (q + 1) / 3 : -((-q + 1) / 3);
  put_fix(o, r, 6);
}

/* printf("%.1f", v / 10.0) for an integer v: exact. */
static void put_tenths(kpw_buf *o, int64_t v) { put_fix(o, v, 1); }

static void put_tmp(kpw_buf *o, const char *tmp, int n, size_t cap) {
  if (n > 0) put_mem(o, tmp, (size_t)n < cap ? (size_t)n : cap - 1);
}
/* printf "%.1f" of a double: rare members, printf is fine. */
static void put_f1(kpw_buf *o, double v) {
  char tmp[48];
  put_tmp(o, tmp, snprintf(tmp, sizeof tmp, "%.1f", v), sizeof tmp);
}

/* A JSON string of six-bit text or a legend: both are printable ASCII, so
** only '"' and '\\' need escaping. */
static void put_str(kpw_buf *o, const char *s) {
  o->data[o->len++] = '"';
  for (; *s; s++) {
    char c = *s;
    if (c == '"' || c == '\\') o->data[o->len++] = '\\';
    o->data[o->len++] = c;
  }
  o->data[o->len++] = '"';
}

static void copy_name(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

/* ------------------------------------------------------------ helpers
** Fast field readers: one unaligned big-endian 64-bit load when the field
** lies inside the payload (ais_bits.data has 8 bytes of slack past the
** largest payload, so the load stays in the array), else ais_u's rule
** (missing bits read as 0). Same results as ais_u/ais_s. */
static inline uint32_t fast_u(const ais_bits *b, size_t start, unsigned len) {
  if (start + len > b->nbits) return ais_u(b, start, len);
  uint64_t v;
  memcpy(&v, b->data + (start >> 3), 8);
  v = __builtin_bswap64(v) << (start & 7);
  return (uint32_t)(v >> (64 - len));
}
static inline int32_t fast_s(const ais_bits *b, size_t start, unsigned len) {
  uint32_t u = fast_u(b, start, len);
  if (len < 32 && (u >> (len - 1)) & 1) return (int32_t)(u | ~((1u << len) - 1));
  return (int32_t)u;
}
#define U(s, l) fast_u(b, (s), (l))
#define S(s, l) fast_s(b, (s), (l))

static double deg_or_nan(int32_t raw, double div, int32_t na) {
  return raw == na ? NAN : raw / div;
}

/* The "nan"/"fast" speed legend of types 1-3 (tenths of knots). */
static void put_speed_scaled(kpw_buf *o, unsigned speed) {
  if (speed == 1023) LIT(o, "\"nan\"");
  else if (speed == 1022) LIT(o, "\"fast\"");
  else put_tenths(o, speed);
}

static void put_latlon(kpw_buf *o, bool scaled, int32_t lon, int32_t lat) {
  LIT(o, ",\"lon\":");
  if (scaled) put_deg6(o, lon); else put_i(o, lon);
  LIT(o, ",\"lat\":");
  if (scaled) put_deg6(o, lat); else put_i(o, lat);
}

static void set_pos(kpw_ais_message *m, int32_t lon, int32_t lat) {
  m->lon = deg_or_nan(lon, 600000.0, 181 * 600000);
  m->lat = deg_or_nan(lat, 600000.0, 91 * 600000);
  if (!(m->lon >= -180 && m->lon <= 180)) m->lon = NAN;
  if (!(m->lat >= -90 && m->lat <= 90)) m->lat = NAN;
}

/* ------------------------------------------------------------ types */

/* 1, 2, 3: Class A position report. */
static bool t_pos_a(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  size_t n = b->nbits;
  if (n < 163 || n > 204) return false;
  unsigned status = U(38, 4), speed = U(50, 10), course = U(116, 12), heading = U(128, 9);
  int32_t turn = S(42, 8), lon = S(61, 28), lat = S(89, 27);
  uint32_t radio = n >= 168 ? U(149, 19) : U(149, (unsigned)(n - 149));
  LIT(o, ",\"status\":"); put_u(o, status);
  LIT(o, ",\"status_text\":"); put_str(o, nav_legends[status]);
  LIT(o, ",\"turn\":");
  if (!scaled) put_i(o, turn);
  else if (turn == -128) LIT(o, "\"nan\"");
  else if (turn == -127) LIT(o, "\"fastleft\"");
  else if (turn == 127) LIT(o, "\"fastright\"");
  else {
    /* gpsd prints the square of turn/4.733 (sign lost), "%.0f". */
    double r = turn / 4.733;
    put_i(o, llrint(r * r));   /* = printf "%.0f": nearest, ties to even */
  }
  LIT(o, ",\"speed\":");
  if (scaled) put_speed_scaled(o, speed); else put_u(o, speed);
  LIT(o, ",\"accuracy\":"); put_bool(o, U(60, 1));
  put_latlon(o, scaled, lon, lat);
  LIT(o, ",\"course\":");
  if (scaled) put_tenths(o, course); else put_u(o, course);
  LIT(o, ",\"heading\":"); put_u(o, heading);
  LIT(o, ",\"second\":"); put_u(o, U(137, 6));
  LIT(o, ",\"maneuver\":"); put_u(o, U(143, 2));
  LIT(o, ",\"raim\":"); put_bool(o, U(148, 1));
  LIT(o, ",\"radio\":"); put_u(o, radio);
  set_pos(m, lon, lat);
  m->sog = speed >= 1023 ? NAN : speed / 10.0;
  m->cog = course >= 3600 ? NAN : course / 10.0;
  m->heading = heading >= 360 ? NAN : heading;
  return true;
}

/* 4 and 11: base station report / UTC response. */
static bool t_base(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 168) return false;
  int32_t lon = S(79, 28), lat = S(107, 27);
  unsigned epfd = U(134, 4);
  LIT(o, ",\"timestamp\":\"");
  put_nd(o, U(38, 14), 4); o->data[o->len++] = '-';
  put_nd(o, U(52, 4), 2); o->data[o->len++] = '-';
  put_nd(o, U(56, 5), 2); o->data[o->len++] = 'T';
  put_nd(o, U(61, 5), 2); o->data[o->len++] = ':';
  put_nd(o, U(66, 6), 2); o->data[o->len++] = ':';
  put_nd(o, U(72, 6), 2); LIT(o, "Z\"");
  LIT(o, ",\"accuracy\":"); put_bool(o, U(78, 1));
  put_latlon(o, scaled, lon, lat);
  LIT(o, ",\"epfd\":"); put_u(o, epfd);
  LIT(o, ",\"epfd_text\":"); put_str(o, epfd_legends[epfd]);
  LIT(o, ",\"raim\":"); put_bool(o, U(148, 1));
  LIT(o, ",\"radio\":"); put_u(o, U(149, 19));
  set_pos(m, lon, lat);
  return true;
}

/* 5: static and voyage data. */
static bool t_static(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 420) return false;
  char callsign[8], shipname[21], dest[21];
  ais_text(b, 70, 42, callsign);
  ais_text(b, 112, 120, shipname);
  ais_text(b, 302, 120, dest);
  unsigned shiptype = U(232, 8), epfd = U(270, 4), draught = U(294, 8);
  uint32_t imo = U(40, 30);
  LIT(o, ",\"imo\":"); put_u(o, imo);
  LIT(o, ",\"ais_version\":"); put_u(o, U(38, 2));
  LIT(o, ",\"callsign\":"); put_str(o, callsign);
  LIT(o, ",\"shipname\":"); put_str(o, shipname);
  LIT(o, ",\"shiptype\":"); put_u(o, shiptype);
  LIT(o, ",\"shiptype_text\":"); put_str(o, shiptype_text(shiptype));
  LIT(o, ",\"to_bow\":"); put_u(o, U(240, 9));
  LIT(o, ",\"to_stern\":"); put_u(o, U(249, 9));
  LIT(o, ",\"to_port\":"); put_u(o, U(258, 6));
  LIT(o, ",\"to_starboard\":"); put_u(o, U(264, 6));
  LIT(o, ",\"epfd\":"); put_u(o, epfd);
  LIT(o, ",\"epfd_text\":"); put_str(o, epfd_legends[epfd]);
  LIT(o, ",\"eta\":\"");
  put_nd(o, U(274, 4), 2); o->data[o->len++] = '-';
  put_nd(o, U(278, 5), 2); o->data[o->len++] = 'T';
  put_nd(o, U(283, 5), 2); o->data[o->len++] = ':';
  put_nd(o, U(288, 6), 2); LIT(o, "Z\"");
  LIT(o, ",\"draught\":");
  if (scaled) put_tenths(o, draught); else put_u(o, draught);
  LIT(o, ",\"destination\":"); put_str(o, dest);
  LIT(o, ",\"dte\":"); put_u(o, b->nbits >= 423 ? U(422, 1) : 0);
  m->imo = imo;
  m->shiptype = (int)shiptype;
  copy_name(m->shipname, sizeof m->shipname, shipname);
  copy_name(m->callsign, sizeof m->callsign, callsign);
  return true;
}

/* 7 and 13: acknowledgements of up to four MMSIs. */
static bool t_ack(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 72 || b->nbits > 168) return false;
  static const char *const keys[4] = {",\"mmsi1\":", ",\"mmsi2\":", ",\"mmsi3\":", ",\"mmsi4\":"};
  for (unsigned u = 0; u < 4; u++) {
    put_mem(o, keys[u], strlen(keys[u]));
    put_u(o, b->nbits > 40 + 32 * u ? U(40 + 32 * u, 30) : 0);
  }
  return true;
}

/* 9: SAR aircraft position report. */
static bool t_sar(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 168) return false;
  unsigned alt = U(38, 12), speed = U(50, 10), course = U(116, 12);
  int32_t lon = S(61, 28), lat = S(89, 27);
  LIT(o, ",\"alt\":");
  if (scaled && alt == 4095) LIT(o, "\"nan\"");
  else if (scaled && alt == 4094) LIT(o, "\"high\"");
  else put_u(o, alt);
  LIT(o, ",\"speed\":");
  if (scaled && speed == 1023) LIT(o, "\"nan\"");
  else if (scaled && speed == 1022) LIT(o, "\"fast\"");
  else put_u(o, speed);
  LIT(o, ",\"accuracy\":"); put_bool(o, U(60, 1));
  put_latlon(o, scaled, lon, lat);
  LIT(o, ",\"course\":");
  if (scaled) put_tenths(o, course); else put_u(o, course);
  LIT(o, ",\"second\":"); put_u(o, U(128, 6));
  LIT(o, ",\"regional\":"); put_u(o, U(134, 8));
  LIT(o, ",\"dte\":"); put_u(o, U(142, 1));
  LIT(o, ",\"raim\":"); put_bool(o, U(147, 1));
  LIT(o, ",\"radio\":"); put_u(o, U(148, 20));
  set_pos(m, lon, lat);
  m->sog = speed >= 1023 ? NAN : speed;
  m->cog = course >= 3600 ? NAN : course / 10.0;
  return true;
}

/* 10: UTC/date inquiry. */
static bool t_inquiry(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 72) return false;
  LIT(o, ",\"dest_mmsi\":"); put_u(o, U(40, 30));
  return true;
}

/* Text that runs to the end of the payload (types 12 and 14). */
static void put_endtext(kpw_buf *o, const ais_bits *b, size_t start) {
  char text[AIS_MAX_BITS / 6 + 1];
  if (b->nbits <= start) text[0] = 0;
  else ais_text(b, start, (unsigned)(b->nbits - start), text);
  LIT(o, ",\"text\":"); put_str(o, text);
}

/* 12: addressed safety message. */
static bool t_safety_addr(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 72 || b->nbits > 1008) return false;
  LIT(o, ",\"seqno\":"); put_u(o, U(38, 2));
  LIT(o, ",\"dest_mmsi\":"); put_u(o, U(40, 30));
  LIT(o, ",\"retransmit\":"); put_bool(o, U(70, 1));
  put_endtext(o, b, 72);
  return true;
}

/* 14: broadcast safety message. */
static bool t_safety_bcast(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 40 || b->nbits > 960) return false;
  put_endtext(o, b, 40);
  return true;
}

/* 15: interrogation (one, two or three requests by length). */
static bool t_interrogation(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  size_t n = b->nbits;
  if (n < 88 || n > 168) return false;
  uint32_t type1_2 = 0, offset1_2 = 0, mmsi2 = 0, type2_1 = 0, offset2_1 = 0;
  if (n > 90) {
    type1_2 = U(90, 6); offset1_2 = U(96, 12);
    if (n > 110) { mmsi2 = U(110, 30); type2_1 = U(140, 6); offset2_1 = U(146, 12); }
  }
  LIT(o, ",\"mmsi1\":"); put_u(o, U(40, 30));
  LIT(o, ",\"type1_1\":"); put_u(o, U(70, 6));
  LIT(o, ",\"offset1_1\":"); put_u(o, U(76, 12));
  LIT(o, ",\"type1_2\":"); put_u(o, type1_2);
  LIT(o, ",\"offset1_2\":"); put_u(o, offset1_2);
  LIT(o, ",\"mmsi2\":"); put_u(o, mmsi2);
  LIT(o, ",\"type2_1\":"); put_u(o, type2_1);
  LIT(o, ",\"offset2_1\":"); put_u(o, offset2_1);
  return true;
}

/* 16: assigned mode command (one or two stations). */
static bool t_assigned(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  size_t n = b->nbits;
  if (n < 96 || n > 168) return false;
  bool two = n >= 144;
  LIT(o, ",\"mmsi1\":"); put_u(o, U(40, 30));
  LIT(o, ",\"offset1\":"); put_u(o, U(70, 12));
  LIT(o, ",\"increment1\":"); put_u(o, U(82, 10));
  LIT(o, ",\"mmsi2\":"); put_u(o, two ? U(92, 30) : 0);
  LIT(o, ",\"offset2\":"); put_u(o, two ? U(122, 12) : 0);
  LIT(o, ",\"increment2\":"); put_u(o, two ? U(134, 10) : 0);
  return true;
}

/* "bits:hex" of payload bytes from a byte-aligned start, as gpsd's
** hexdump of its bit buffer (fill bits of the last character included). */
static void put_hexdata(kpw_buf *o, const ais_bits *b, size_t start_bit, size_t nbits) {
  static const char hx[] = "0123456789abcdef";
  LIT(o, ",\"data\":\"");
  put_u(o, nbits);
  o->data[o->len++] = ':';
  size_t nbytes = (nbits + 7) / 8, first = start_bit / 8;
  for (size_t i = 0; i < nbytes; i++) {
    uint8_t v = b->data[first + i];
    o->data[o->len++] = hx[v >> 4];
    o->data[o->len++] = hx[v & 15];
  }
  o->data[o->len++] = '"';
}

/* 17: DGNSS broadcast. */
static bool t_dgnss(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 80 || b->nbits > 816) return false;
  int32_t lon = S(40, 18), lat = S(58, 17);
  if (scaled) {
    LIT(o, ",\"lon\":"); put_f1(o, lon / 600.0);
    LIT(o, ",\"lat\":"); put_f1(o, lat / 600.0);
  } else {
    LIT(o, ",\"lon\":"); put_i(o, lon);
    LIT(o, ",\"lat\":"); put_i(o, lat);
  }
  put_hexdata(o, b, 80, b->nbits - 80);
  return true;
}

/* 18: Class B position report. */
static bool t_pos_b(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 168) return false;
  unsigned speed = U(46, 10), course = U(112, 12), heading = U(124, 9);
  int32_t lon = S(57, 28), lat = S(85, 27);
  LIT(o, ",\"reserved\":"); put_u(o, U(38, 8));
  LIT(o, ",\"speed\":");
  if (scaled) put_tenths(o, speed); else put_u(o, speed);
  LIT(o, ",\"accuracy\":"); put_bool(o, U(56, 1));
  put_latlon(o, scaled, lon, lat);
  LIT(o, ",\"course\":");
  if (scaled) put_tenths(o, course); else put_u(o, course);
  LIT(o, ",\"heading\":"); put_u(o, heading);
  LIT(o, ",\"second\":"); put_u(o, U(133, 6));
  LIT(o, ",\"regional\":"); put_u(o, U(139, 2));
  LIT(o, ",\"cs\":"); put_bool(o, U(141, 1));
  LIT(o, ",\"display\":"); put_bool(o, U(142, 1));
  LIT(o, ",\"dsc\":"); put_bool(o, U(143, 1));
  LIT(o, ",\"band\":"); put_bool(o, U(144, 1));
  LIT(o, ",\"msg22\":"); put_bool(o, U(145, 1));
  LIT(o, ",\"raim\":"); put_bool(o, U(147, 1));
  LIT(o, ",\"radio\":"); put_u(o, U(148, 20));
  set_pos(m, lon, lat);
  m->sog = speed >= 1023 ? NAN : speed / 10.0;
  m->cog = course >= 3600 ? NAN : course / 10.0;
  m->heading = heading >= 360 ? NAN : heading;
  return true;
}

/* 19: extended Class B position report. */
static bool t_pos_b_ext(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 312) return false;
  unsigned speed = U(46, 10), course = U(112, 12), heading = U(124, 9);
  unsigned shiptype = U(263, 8), epfd = U(301, 4);
  int32_t lon = S(57, 28), lat = S(85, 27);
  char shipname[21];
  ais_text(b, 143, 120, shipname);
  LIT(o, ",\"reserved\":"); put_u(o, U(38, 8));
  LIT(o, ",\"speed\":");
  if (scaled) put_tenths(o, speed); else put_u(o, speed);
  LIT(o, ",\"accuracy\":"); put_bool(o, U(56, 1));
  put_latlon(o, scaled, lon, lat);
  LIT(o, ",\"course\":");
  if (scaled) put_tenths(o, course); else put_u(o, course);
  LIT(o, ",\"heading\":"); put_u(o, heading);
  LIT(o, ",\"second\":"); put_u(o, U(133, 6));
  LIT(o, ",\"regional\":"); put_u(o, U(139, 4));
  LIT(o, ",\"shipname\":"); put_str(o, shipname);
  LIT(o, ",\"shiptype\":"); put_u(o, shiptype);
  LIT(o, ",\"shiptype_text\":"); put_str(o, shiptype_text(shiptype));
  LIT(o, ",\"to_bow\":"); put_u(o, U(271, 9));
  LIT(o, ",\"to_stern\":"); put_u(o, U(280, 9));
  LIT(o, ",\"to_port\":"); put_u(o, U(289, 6));
  LIT(o, ",\"to_starboard\":"); put_u(o, U(295, 6));
  LIT(o, ",\"epfd\":"); put_u(o, epfd);
  LIT(o, ",\"epfd_text\":"); put_str(o, epfd_legends[epfd]);
  LIT(o, ",\"raim\":"); put_bool(o, U(305, 1));
  LIT(o, ",\"dte\":"); put_u(o, U(306, 1));
  LIT(o, ",\"assigned\":"); put_bool(o, U(307, 1));
  set_pos(m, lon, lat);
  m->sog = speed >= 1023 ? NAN : speed / 10.0;
  m->cog = course >= 3600 ? NAN : course / 10.0;
  m->heading = heading >= 360 ? NAN : heading;
  m->shiptype = (int)shiptype;
  copy_name(m->shipname, sizeof m->shipname, shipname);
  return true;
}

/* 20: data link management. */
static bool t_dlm(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 72 || b->nbits > 186) return false;
  static const char *const k[4][4] = {
    {",\"offset1\":", ",\"number1\":", ",\"timeout1\":", ",\"increment1\":"},
    {",\"offset2\":", ",\"number2\":", ",\"timeout2\":", ",\"increment2\":"},
    {",\"offset3\":", ",\"number3\":", ",\"timeout3\":", ",\"increment3\":"},
    {",\"offset4\":", ",\"number4\":", ",\"timeout4\":", ",\"increment4\":"}};
  for (unsigned i = 0; i < 4; i++) {
    size_t a = 40 + 30 * i;
    put_mem(o, k[i][0], strlen(k[i][0])); put_u(o, U(a, 12));
    put_mem(o, k[i][1], strlen(k[i][1])); put_u(o, U(a + 12, 4));
    put_mem(o, k[i][2], strlen(k[i][2])); put_u(o, U(a + 16, 3));
    put_mem(o, k[i][3], strlen(k[i][3])); put_u(o, U(a + 19, 11));
  }
  return true;
}

/* 21: aid-to-navigation report. The name is 20 characters plus an
** extension of up to 14 after bit 272, joined only when the first part
** is full (gpsd's rule), trimmed at the end. */
static bool t_aton(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  size_t n = b->nbits;
  if (n < 272 || n > 368) return false;
  static const char six[65] =
      "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
  char name[40];
  unsigned len = 0;
  for (; len < 20; len++) {
    char c = six[U(43 + 6 * len, 6)];
    if (c == '@') break;
    name[len] = c;
  }
  name[len] = 0;
  if (len == 20 && n > 272) {
    char ext[20];
    unsigned cnt = (unsigned)((n - 272) / 6);
    if (cnt > 14) cnt = 14;
    ais_text(b, 272, cnt * 6, ext);
    memcpy(name + 20, ext, strlen(ext) + 1);
    len = (unsigned)strlen(name);
  }
  while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '@')) name[--len] = 0;
  unsigned aid = U(38, 5), epfd = U(249, 4);
  int32_t lon = S(164, 28), lat = S(192, 27);
  LIT(o, ",\"aid_type\":"); put_u(o, aid);
  LIT(o, ",\"aid_type_text\":"); put_str(o, navaid_type_legends[aid]);
  LIT(o, ",\"name\":"); put_str(o, name);
  if (scaled) {
    put_latlon(o, scaled, lon, lat);
    LIT(o, ",\"accuracy\":"); put_bool(o, U(163, 1));
  } else {
    LIT(o, ",\"accuracy\":"); put_bool(o, U(163, 1));
    put_latlon(o, scaled, lon, lat);
  }
  LIT(o, ",\"to_bow\":"); put_u(o, U(219, 9));
  LIT(o, ",\"to_stern\":"); put_u(o, U(228, 9));
  LIT(o, ",\"to_port\":"); put_u(o, U(237, 6));
  LIT(o, ",\"to_starboard\":"); put_u(o, U(243, 6));
  LIT(o, ",\"epfd\":"); put_u(o, epfd);
  LIT(o, ",\"epfd_text\":"); put_str(o, epfd_legends[epfd]);
  LIT(o, ",\"second\":"); put_u(o, U(253, 6));
  LIT(o, ",\"regional\":"); put_u(o, U(260, 8));
  LIT(o, ",\"off_position\":"); put_bool(o, U(259, 1));
  LIT(o, ",\"raim\":"); put_bool(o, U(268, 1));
  LIT(o, ",\"virtual_aid\":"); put_bool(o, U(269, 1));
  set_pos(m, lon, lat);
  copy_name(m->shipname, sizeof m->shipname, name);
  return true;
}

/* Corner coordinates of types 22/23 in 1/10 minute: scaled as "%f"
** strings of degrees, as gpsd prints them. */
static void put_corner(kpw_buf *o, const char *key, size_t klen, bool scaled, int32_t v) {
  put_mem(o, key, klen);
  if (scaled) {
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%f", v / 600.0);
    put_str(o, tmp);
  } else {
    put_i(o, v);
  }
}
#define CORNER(o, k, s, v) put_corner((o), k, sizeof(k) - 1, (s), (v))

/* 22: channel management. */
static bool t_channel(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 168) return false;
  bool addressed = U(139, 1);
  LIT(o, ",\"channel_a\":"); put_u(o, U(40, 12));
  LIT(o, ",\"channel_b\":"); put_u(o, U(52, 12));
  LIT(o, ",\"txrx\":"); put_u(o, U(64, 4));
  LIT(o, ",\"power\":"); put_bool(o, U(68, 1));
  if (addressed) {
    LIT(o, ",\"dest1\":"); put_u(o, U(69, 30));
    LIT(o, ",\"dest2\":"); put_u(o, U(104, 30));
  } else {
    CORNER(o, ",\"ne_lon\":", scaled, S(69, 18));
    CORNER(o, ",\"ne_lat\":", scaled, S(87, 17));
    CORNER(o, ",\"sw_lon\":", scaled, S(104, 18));
    CORNER(o, ",\"sw_lat\":", scaled, S(122, 17));
  }
  LIT(o, ",\"addressed\":"); put_bool(o, addressed);
  LIT(o, ",\"band_a\":"); put_bool(o, U(140, 1));
  LIT(o, ",\"band_b\":"); put_bool(o, U(141, 1));
  LIT(o, ",\"zonesize\":"); put_u(o, U(142, 3));
  return true;
}

/* 23: group assignment command. */
static bool t_group(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits < 160) return false;
  unsigned st = U(110, 4), shiptype = U(114, 8);
  CORNER(o, ",\"ne_lon\":", scaled, S(40, 18));
  CORNER(o, ",\"ne_lat\":", scaled, S(58, 17));
  CORNER(o, ",\"sw_lon\":", scaled, S(75, 18));
  CORNER(o, ",\"sw_lat\":", scaled, S(93, 17));
  LIT(o, ",\"stationtype\":"); put_u(o, st);
  LIT(o, ",\"stationtype_text\":"); put_str(o, station_type_legends[st]);
  LIT(o, ",\"shiptype\":"); put_u(o, shiptype);
  LIT(o, ",\"shiptype_text\":"); put_str(o, shiptype_text(shiptype));
  LIT(o, ",\"interval\":"); put_u(o, U(146, 4));
  LIT(o, ",\"quiet\":"); put_u(o, U(150, 4));
  return true;
}

/* 27: long-range position report. */
static bool t_longrange(const ais_bits *b, bool scaled, kpw_buf *o, kpw_ais_message *m) {
  if (b->nbits != 96 && b->nbits != 168) return false;
  unsigned status = U(40, 4), speed = U(79, 6), course = U(85, 9);
  int32_t lon = S(44, 18), lat = S(62, 17);
  LIT(o, ",\"status\":");
  if (scaled) put_str(o, nav_legends[status]); else put_u(o, status);
  LIT(o, ",\"accuracy\":"); put_bool(o, U(38, 1));
  if (scaled) {
    LIT(o, ",\"lon\":"); put_f1(o, lon / 600.0);
    LIT(o, ",\"lat\":"); put_f1(o, lat / 600.0);
  } else {
    LIT(o, ",\"lon\":"); put_i(o, lon);
    LIT(o, ",\"lat\":"); put_i(o, lat);
  }
  LIT(o, ",\"speed\":"); put_u(o, speed);
  LIT(o, ",\"course\":"); put_u(o, course);
  LIT(o, ",\"raim\":"); put_bool(o, U(39, 1));
  LIT(o, ",\"gnss\":"); put_bool(o, U(94, 1));
  m->lon = deg_or_nan(lon, 600.0, 181 * 600);
  m->lat = deg_or_nan(lat, 600.0, 91 * 600);
  if (!(m->lon >= -180 && m->lon <= 180)) m->lon = NAN;
  if (!(m->lat >= -90 && m->lat <= 90)) m->lat = NAN;
  m->sog = speed >= 63 ? NAN : speed;
  m->cog = course >= 360 ? NAN : course;
  return true;
}

/* ------------------------------------------------------------ type 24
** Part A carries the name, part B the type, vendor, callsign and size.
** gpsd keeps the last 8 part-A names per radio channel in a ring
** (MAX_TYPE24_INTERLEAVE); a part B whose MMSI is in the ring is emitted
** joined and the entry is cleared so a repeated B does not match twice.
** The caller keeps one queue per channel as gpsd does; ours holds 32, so
** every join gpsd makes we make too (and a few more on busy channels).
** Bounded by construction. */
#define T24_SLOTS 32
typedef struct ais_t24q {
  uint32_t mmsi[T24_SLOTS];
  char name[T24_SLOTS][21];
  unsigned next;
} ais_t24q;

ais_t24q *ais_t24q_new(void) { return kpw_xcalloc(1, sizeof(ais_t24q)); }
void ais_t24q_free(ais_t24q *q) { free(q); }

/* Returns 1 written, 0 nothing to emit (stored part A, unmatched B without
** split24), -1 rejected. */
static int t_static_b(const ais_bits *b, bool scaled, bool split24, kpw_buf *o,
                      kpw_ais_message *m, ais_t24q *q) {
  uint32_t mmsi = U(8, 30);
  unsigned part = U(38, 2);
  if (part == 0) {
    if (b->nbits < 160 || b->nbits > 168) return -1;
    char name[21];
    ais_text(b, 40, 120, name);
    q->mmsi[q->next] = mmsi;
    memcpy(q->name[q->next], name, sizeof name);
    q->next = (q->next + 1) % T24_SLOTS;
    if (!split24) return 0;
    LIT(o, ",\"part\":\"A\",\"shipname\":"); put_str(o, name);
    copy_name(m->shipname, sizeof m->shipname, name);
    return 1;
  }
  if (part != 1) return -1;
  if (b->nbits < 168) return -1;
  const char *name = NULL;
  for (unsigned i = 0; i < T24_SLOTS; i++)
    if (q->mmsi[i] == mmsi) { q->mmsi[i] = 0; name = q->name[i]; break; }
  if (!name && !split24) return 0;
  char vendor[8], callsign[8];
  ais_text(b, 48, 42, vendor);
  ais_text(b, 90, 42, callsign);
  unsigned shiptype = U(40, 8);
  if (name) {
    LIT(o, ",\"shipname\":"); put_str(o, name);
    copy_name(m->shipname, sizeof m->shipname, name);
  } else {
    LIT(o, ",\"part\":\"B\"");
  }
  LIT(o, ",\"shiptype\":"); put_u(o, shiptype);
  LIT(o, ",\"shiptype_text\":"); put_str(o, shiptype_text(shiptype));
  LIT(o, ",\"vendorid\":"); put_str(o, vendor);
  LIT(o, ",\"model\":"); put_u(o, U(66, 4));
  LIT(o, ",\"serial\":"); put_u(o, U(70, 20));
  LIT(o, ",\"callsign\":"); put_str(o, callsign);
  if (mmsi / 10000000 == 98) { /* auxiliary craft: mothership instead of size */
    LIT(o, ",\"mothership_mmsi\":"); put_u(o, U(132, 30));
  } else {
    LIT(o, ",\"to_bow\":"); put_u(o, U(132, 9));
    LIT(o, ",\"to_stern\":"); put_u(o, U(141, 9));
    LIT(o, ",\"to_port\":"); put_u(o, U(150, 6));
    LIT(o, ",\"to_starboard\":"); put_u(o, U(156, 6));
  }
  m->shiptype = (int)shiptype;
  copy_name(m->callsign, sizeof m->callsign, callsign);
  return 1;
}

/* ------------------------------------------------------------ dispatch */
typedef bool (*type_fn)(const ais_bits *, bool, kpw_buf *, kpw_ais_message *);
static const type_fn type_table[28] = {
  [1] = t_pos_a, [2] = t_pos_a, [3] = t_pos_a, [4] = t_base, [5] = t_static,
  [7] = t_ack, [9] = t_sar, [10] = t_inquiry, [11] = t_base, [12] = t_safety_addr,
  [13] = t_ack, [14] = t_safety_bcast, [15] = t_interrogation, [16] = t_assigned,
  [17] = t_dgnss, [18] = t_pos_b, [19] = t_pos_b_ext, [20] = t_dlm, [21] = t_aton,
  [22] = t_channel, [23] = t_group, [27] = t_longrange,
};

/* Decode one reassembled payload into o (appended: the whole JSON object,
** no newline) and fill m's type/mmsi/position/identity. Returns 1 when an
** object was written, 0 when there is nothing to emit (type-24 part held
** for joining), -1 when gpsd would reject it (length, unknown type); on 0
** and -1 o is left as it was. */
int ais_decode_payload(const ais_bits *b, bool scaled, bool split24, kpw_buf *o,
                       kpw_ais_message *m, ais_t24q *q) {
  if (b->nbits < 38) return -1;
  unsigned type = U(0, 6);
  m->type = (int)type;
  m->mmsi = U(8, 30);
  size_t mark = o->len;
  ais_reserve(o);
  LIT(o, "{\"class\":\"AIS\",\"type\":"); put_u(o, type);
  LIT(o, ",\"repeat\":"); put_u(o, U(6, 2));
  LIT(o, ",\"mmsi\":"); put_u(o, m->mmsi);
  if (scaled) LIT(o, ",\"scaled\":true"); else LIT(o, ",\"scaled\":false");
  int rc;
  if (type < 28 && type_table[type]) {
    rc = type_table[type](b, scaled, o, m) ? 1 : -1;
  } else if (type == 24) {
    rc = t_static_b(b, scaled, split24, o, m, q);
  } else if (type == 6 || type == 8 || type == 25 || type == 26) {
    o->data[o->len] = 0;
    rc = ais_decode_binary((int)type, b, scaled, o) ? 1 : -1;
    if (rc == 1) ais_reserve(o);
  } else {
    rc = -1;
  }
  if (rc != 1) {
    o->len = mark;
    if (o->data) o->data[mark] = 0;
    return rc;
  }
  o->data[o->len++] = '}';
  o->data[o->len] = 0;
  return 1;
}
