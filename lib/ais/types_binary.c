/*
** types_binary.c -- AIS binary messages: type 6 (addressed binary), 8
** (broadcast binary), 25 (single-slot binary) and 26 (multi-slot binary).
**
** Writes the JSON members gpsd writes for these types after the common
** prefix (see ais_bits.h): the envelope (seqno/dest_mmsi/retransmit for
** type 6, dac and fid), then either the decoded application message or, for
** applications gpsd does not decode, "data":"<bitcount>:<hex>".
**
** Decoded applications (the set gpsd decodes, with gpsd's field names and
** its acceptance rules, so that `kpwatch ais decode` agrees with gpsd):
**   type 6: DAC 1   FI 12 dangerous cargo (IMO236), 14 tidal window (236),
**                   15 extended static (236), 16 persons on board,
**                   18 clearance time (289), 20 berthing data (289),
**                   25 dangerous cargo (289), 28 route info (289),
**                   30 text (289), 32 tidal window (289)
**           DAC 200 FI 21 ETA at lock, 22 RTA at lock, 55 persons on board
**           DAC 235/250 FI 10 GLA AtoN monitoring
**   type 8: DAC 1   FI 11 met/hydro (236), 13 fairway closed (236),
**                   15 extended static (236), 16 persons on board,
**                   17 VTS targets (289), 19 marine traffic signal (289),
**                   27 route info (289), 29 text (289), 31 met/hydro (289)
**           DAC 200 FI 10 inland static, 23 EMMA warning, 24 water levels,
**                   40 signal status
** gpsd leaves IMO289 FI 21/22/23/24/25(type 8)/26 undecoded, and so do we:
** they come out as "data", exactly as gpsd prints them.
**
** Invariants: every read goes through ais_u/ais_s, which never read past
** b->nbits (missing bits read as 0), and every repeated group is bounded by
** both the message length and gpsd's array size, so any bit string of any
** length is safe. Deliberate differences from gpsd (where gpsd's output is
** undefined or not JSON) are marked "gpsd:" below.
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ais/ais_bits.h"

/* Scale divisors gpsd uses for the 25/24-bit and 28/27-bit positions. */
#define LATLON3_DIV 60000.0
#define LATLON4_DIV 600000.0

/* ------------------------------------------------------------ writers */

static void put_u(kpw_buf *o, const char *k, uint32_t v) {
  kpw_buf_printf(o, ",\"%s\":%u", k, (unsigned)v);
}
static void put_i(kpw_buf *o, const char *k, int32_t v) {
  kpw_buf_printf(o, ",\"%s\":%d", k, (int)v);
}
static void put_b(kpw_buf *o, const char *k, bool v) {
  kpw_buf_printf(o, ",\"%s\":%s", k, v ? "true" : "false");
}
/* A double with a fixed number of decimals, as gpsd's "%.<prec>f". */
static void put_f(kpw_buf *o, const char *k, int prec, double v) {
  kpw_buf_printf(o, ",\"%s\":%.*f", k, prec, v);
}
static void put_s(kpw_buf *o, const char *k, const char *s) {
  kpw_buf_printf(o, ",\"%s\":", k);
  kpw_json_str(o, s);
}
/* A six-bit text field of nchars characters at bit start (gpsd's UCHARS):
** stops at '@', trailing spaces removed (ais_text does both). */
static void put_text(kpw_buf *o, const char *k, const ais_bits *b, size_t start,
                     unsigned nchars) {
  char buf[AIS_MAX_BITS / 6 + 2];
  ais_text(b, start, 6 * nchars, buf);
  put_s(o, k, buf);
}
/* Six-bit text from bit start to the end of the message (gpsd's endchars). */
static void put_endtext(kpw_buf *o, const char *k, const ais_bits *b, size_t start) {
  unsigned n = b->nbits > start ? (unsigned)((b->nbits - start) / 6) : 0;
  put_text(o, k, b, start, n);
}
/* Position pair: raw integers, or degrees = raw / div with prec decimals. */
static void put_pos(kpw_buf *o, const char *k, int32_t v, bool scaled, double div, int prec) {
  if (scaled) put_f(o, k, prec, v / div);
  else put_i(o, k, v);
}

/* "data":"<bitcount>:<hex>" -- gpsd's dump of an undecoded payload: the
** bitcount bits from bit start, as whole bytes (lower-case hex). The bits of
** the last byte past the payload are the message's own following bits up to
** `limit` (gpsd copies whole bytes out of its bit buffer), zero beyond. */
static void put_data(kpw_buf *o, const ais_bits *b, size_t start, size_t bitcount,
                     size_t limit) {
  static const char hex[] = "0123456789abcdef";
  kpw_buf_printf(o, ",\"data\":\"%zu:", bitcount);
  size_t nbytes = (bitcount + 7) / 8;
  for (size_t i = 0; i < nbytes; i++) {
    unsigned byte = 0;
    for (unsigned j = 0; j < 8; j++) {
      size_t k = start + 8 * i + j;
      unsigned bit = k < limit ? ais_u(b, k, 1) : 0;
      byte = (byte << 1) | bit;
    }
    kpw_buf_putc(o, hex[byte >> 4]);
    kpw_buf_putc(o, hex[byte & 15]);
  }
  kpw_buf_putc(o, '"');
}

#define U(s, l) ais_u(b, (s), (l))
#define S(s, l) ais_s(b, (s), (l))

/* ------------------------------------------------------------ legends
** gpsd's vocabularies, printed as "<field>_text". */
static const char *const racon_status[4] = {
  "No RACON installed", "RACON not monitored", "RACON operational", "RACON ERROR"};
static const char *const light_status[4] = {
  "No light or no monitoring", "Light ON", "Light OFF", "Light ERROR"};
static const char *const rta_status[4] = {
  "Operational", "Limited operation", "Out of order", "N/A"};
static const char *const position_types[8] = {
  "Not available", "Port-side to", "Starboard-side to",
  "Mediterranean (end-on) mooring", "Mooring buoy", "Anchorage",
  "Reserved for future use", "Reserved for future use"};
static const char *const idtypes[4] = {"mmsi", "imo", "callsign", "other"};
static const char *const trends[4] = {"steady", "increasing", "decreasing", "N/A"};
static const char *const preciptypes[8] = {
  "reserved", "rain", "thunderstorm", "freezing rain", "mixed/ice", "snow",
  "reserved", "N/A"};
static const char *const ice_legend[4] = {"no", "yes", "reserved", "N/A"};
static const char *const signal_legends[15] = {
  "N/A",
  "Serious emergency \xe2\x80\x93 stop or divert according to instructions.",
  "Vessels shall not proceed.",
  "Vessels may proceed. One way traffic.",
  "Vessels may proceed. Two way traffic.",
  "Vessels shall proceed on specific orders only.",
  "Vessels in main channel shall not proceed.",
  "Vessels in main channel shall proceed on specific orders only.",
  "Vessels in main channel shall proceed on specific orders only.",
  "I = \"in-bound\" only acceptable.",
  "O = \"out-bound\" only acceptable.",
  "F = both \"in- and out-bound\" acceptable.",
  "XI = Code will shift to \"I\" in due time.",
  "XO = Code will shift to \"O\" in due time.",
  "X = Vessels shall proceed only on direction."};
static const char *signal_text(uint32_t n) {
  return n < 15 ? signal_legends[n] : "INVALID SIGNAL TYPE";
}
static const char *route_type(uint32_t n) {
  static const char *const first[6] = {
    "Undefined (default)", "Mandatory", "Recommended", "Alternative",
    "Recommended route through ice", "Ship route plan"};
  if (n < 6) return first[n];
  if (n == 31) return "Cancel route identified by message linkage";
  return "Reserved for future use.";
}

/* Inland (DAC 200) vocabularies. */
static const struct { uint32_t code, ais; const char *legend; } inland_shiptypes[] = {
  {8000, 99, "Vessel, type unknown"},
  {8010, 79, "Motor freighter"},
  {8020, 89, "Motor tanker"},
  {8021, 80, "Motor tanker, liquid cargo, type N"},
  {8022, 80, "Motor tanker, liquid cargo, type C"},
  {8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
  {8030, 79, "Container vessel"},
  {8040, 80, "Gas tanker"},
  {8050, 79, "Motor freighter, tug"},
  {8060, 89, "Motor tanker, tug"},
  {8070, 79, "Motor freighter with one or more ships alongside"},
  {8080, 89, "Motor freighter with tanker"},
  {8090, 79, "Motor freighter pushing one or more freighters"},
  {8100, 89, "Motor freighter pushing at least one tank-ship"},
  {8110, 79, "Tug, freighter"},
  {8120, 89, "Tug, tanker"},
  {8130, 31, "Tug freighter, coupled"},
  {8140, 31, "Tug, freighter/tanker, coupled"},
  {8150, 99, "Freightbarge"},
  {8160, 99, "Tankbarge"},
  {8161, 90, "Tankbarge, liquid cargo, type N"},
  {8162, 90, "Tankbarge, liquid cargo, type C"},
  {8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
  {8170, 99, "Freightbarge with containers"},
  {8180, 90, "Tankbarge, gas"},
  {8210, 79, "Pushtow, one cargo barge"},
  {8220, 79, "Pushtow, two cargo barges"},
  {8230, 79, "Pushtow, three cargo barges"},
  {8240, 79, "Pushtow, four cargo barges"},
  {8250, 79, "Pushtow, five cargo barges"},
  {8260, 79, "Pushtow, six cargo barges"},
  {8270, 79, "Pushtow, seven cargo barges"},
  {8280, 79, "Pushtow, eigth cargo barges"},
  {8290, 79, "Pushtow, nine or more barges"},
  {8310, 80, "Pushtow, one tank/gas barge"},
  {8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
  {8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
  {8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
  {8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
  {8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
  {8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
};
/* gpsd matches the ERI code or the equivalent ITU type code; first wins. */
static const char *inland_shiptype(uint32_t t) {
  for (size_t i = 0; i < sizeof inland_shiptypes / sizeof inland_shiptypes[0]; i++)
    if (inland_shiptypes[i].code == t || inland_shiptypes[i].ais == t)
      return inland_shiptypes[i].legend;
  return "Illegal ship type value.";
}
static const char *const hazard_types[6] = {
  "0 blue cones/lights", "1 blue cone/light", "2 blue cones/lights",
  "3 blue cones/lights", "4 B-Flag", "Unknown"};
static const char *const lstatus_types[3] = {"N/A (default)", "Unloaded", "Loaded"};
static const char *const emma_types[10] = {
  "Not Available", "Wind", "Rain", "Snow and ice", "Thunderstorm", "Fog",
  "Low temperature", "High temperature", "Flood", "Forest Fire"};
static const char *const emma_classes[3] = {"Slight", "Medium", "Strong"};
static const char *const emma_winds[9] = {
  "N/A", "North", "North East", "East", "South East", "South", "South West",
  "West", "North West"};
static const char *const direction_vocabulary[5] = {
  "Unknown", "Upstream", "Downstream", "To left bank", "To right bank"};
static const char *const status_vocabulary[8] = {
  "Unknown", "No light", "White", "Yellow", "Green", "Red", "White flashing",
  "Yellow flashing."};
#define LEGEND(tab, n, bad) \
  ((n) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[(n)] : (bad))

/* ------------------------------------------------------------ shared parts */

/* Tidal window (type 6, DAC 1, FI 14 and 32): gpsd decodes an element
** whenever its first bit is <= the message length (so a message ending on an
** element boundary yields a trailing all-zero element), at most 3. */
static void tidal_window(const ais_bits *b, bool scaled, kpw_buf *o, bool imo289) {
  const size_t base = 97, size = imo289 ? 88 : 93;
  put_u(o, "month", U(88, 4));
  put_u(o, "day", U(92, 5));
  kpw_buf_puts(o, ",\"tidals\":[");
  for (unsigned i = 0; i < 3 && base + size * i <= b->nbits; i++) {
    size_t a = base + size * i;
    int32_t lon, lat;
    uint32_t fh, fm, th, tm, cdir, cspeed;
    if (imo289) {
      lon = S(a, 25); lat = S(a + 25, 24);
      fh = U(a + 49, 5); fm = U(a + 54, 6); th = U(a + 60, 5); tm = U(a + 65, 6);
      cdir = U(a + 71, 9); cspeed = U(a + 80, 8);
    } else {
      lat = S(a, 27); lon = S(a + 27, 28);
      fh = U(a + 55, 5); fm = U(a + 60, 6); th = U(a + 66, 5); tm = U(a + 71, 6);
      cdir = U(a + 77, 9); cspeed = U(a + 86, 7);
    }
    if (i) kpw_buf_putc(o, ',');
    /* gpsd scales both variants with the 1/1000-minute divisor. */
    if (scaled) kpw_buf_printf(o, "{\"lon\":%.4f,\"lat\":%.4f", lon / LATLON3_DIV, lat / LATLON3_DIV);
    else kpw_buf_printf(o, "{\"lon\":%d,\"lat\":%d", (int)lon, (int)lat);
    kpw_buf_printf(o, ",\"from_hour\":%u,\"from_min\":%u,\"to_hour\":%u,\"to_min\":%u,\"cdir\":%u",
                   (unsigned)fh, (unsigned)fm, (unsigned)th, (unsigned)tm, (unsigned)cdir);
    if (scaled) kpw_buf_printf(o, ",\"cspeed\":%.1f}", cspeed / 10.0);
    else kpw_buf_printf(o, ",\"cspeed\":%u}", (unsigned)cspeed);
  }
  kpw_buf_putc(o, ']');
}

/* Route information (type 6 FI 28 at bit 88, type 8 FI 27 at bit 56).
** gpsd's array holds 16 waypoints; the 5-bit count may claim up to 31. */
static void route_info(const ais_bits *b, bool scaled, kpw_buf *o, size_t s) {
  uint32_t rtype = U(s + 13, 5), waycount = U(s + 56, 5);
  put_u(o, "linkage", U(s, 10));
  put_u(o, "sender", U(s + 10, 3));
  put_u(o, "rtype", rtype);
  put_s(o, "rtype_text", route_type(rtype));
  kpw_buf_printf(o, ",\"start\":\"%02u-%02uT%02u:%02uZ\"", (unsigned)U(s + 18, 4),
                 (unsigned)U(s + 22, 5), (unsigned)U(s + 27, 5), (unsigned)U(s + 32, 6));
  put_u(o, "duration", U(s + 38, 18));
  kpw_buf_puts(o, ",\"waypoints\":[");
  for (uint32_t i = 0; i < waycount && i < 16; i++) {
    size_t a = s + 61 + 55 * (size_t)i;
    int32_t lon = S(a, 28), lat = S(a + 28, 27);
    if (i) kpw_buf_putc(o, ',');
    if (scaled) kpw_buf_printf(o, "{\"lon\":%.6f,\"lat\":%.6f}", lon / LATLON4_DIV, lat / LATLON4_DIV);
    else kpw_buf_printf(o, "{\"lon\":%d,\"lat\":%d}", (int)lon, (int)lat);
  }
  kpw_buf_putc(o, ']');
}

/* ------------------------------------------------------------ type 6 */

/* Decodes the application payload of a type 6; false = not one gpsd
** decodes (the caller then dumps "data"). */
static bool type6_app(const ais_bits *b, bool scaled, kpw_buf *o, uint32_t dac, uint32_t fid) {
  size_t n = b->nbits;
  if (dac == 200) {
    if ((fid == 21 && n == 248) || (fid == 22 && n == 232)) {
      put_text(o, "country", b, 88, 2);
      put_text(o, "locode", b, 100, 3);
      put_text(o, "section", b, 118, 5);
      put_text(o, "terminal", b, 148, 5);
      put_text(o, "hectometre", b, 178, 5);
      kpw_buf_printf(o, ",\"eta\":\"%u-%uT%u:%u\"", (unsigned)U(208, 4), (unsigned)U(212, 5),
                     (unsigned)U(217, 5), (unsigned)U(222, 6));
      if (fid == 21) {
        put_u(o, "tugs", U(228, 3));
        put_u(o, "airdraught", U(231, 12));
      } else {
        put_u(o, "status", U(228, 2));
        put_s(o, "status_text", rta_status[U(228, 2)]);
      }
      return true;
    }
    if (fid == 55 && n == 168) {
      put_u(o, "crew", U(88, 8));
      put_u(o, "passengers", U(96, 13));
      put_u(o, "personnel", U(109, 8));
      return true;
    }
    return false;
  }
  if (dac == 235 || dac == 250) {
    if (fid != 10 || n != 136) return false;
    put_b(o, "off_pos", U(131, 1));
    put_b(o, "alarm", U(122, 1));
    put_u(o, "stat_ext", U(123, 8));
    /* gpsd scales the analogue readings (0.05 V) only when non-zero. */
    static const char *const ana[3] = {"ana_int", "ana_ext1", "ana_ext2"};
    for (unsigned i = 0; i < 3; i++) {
      uint32_t v = U(88 + 10 * i, 10);
      if (scaled && v) put_f(o, ana[i], 2, v * 0.05);
      else put_u(o, ana[i], v);
    }
    put_u(o, "racon", U(118, 2));
    put_s(o, "racon_text", racon_status[U(118, 2)]);
    put_u(o, "light", U(120, 2));
    put_s(o, "light_text", light_status[U(120, 2)]);
    return true;
  }
  if (dac != 1) return false;
  switch (fid) {
  case 12: /* IMO236 dangerous cargo indication */
    put_text(o, "lastport", b, 88, 5);
    kpw_buf_printf(o, ",\"departure\":\"%02u-%02uT%02u:%02uZ\"", (unsigned)U(118, 4),
                   (unsigned)U(122, 5), (unsigned)U(127, 5), (unsigned)U(132, 6));
    put_text(o, "nextport", b, 138, 5);
    kpw_buf_printf(o, ",\"eta\":\"%02u-%02uT%02u:%02uZ\"", (unsigned)U(168, 4),
                   (unsigned)U(172, 5), (unsigned)U(177, 5), (unsigned)U(182, 6));
    put_text(o, "dangerous", b, 188, 20);
    put_text(o, "imdcat", b, 308, 4);
    put_u(o, "unid", U(332, 13));
    put_u(o, "amount", U(345, 10));
    put_u(o, "unit", U(355, 2));
    return true;
  case 14: tidal_window(b, scaled, o, false); return true;
  case 32: tidal_window(b, scaled, o, true); return true;
  case 15:
    /* gpsd reads bit 56 here (inside dest_mmsi), as for type 8; kept so
    ** that the output agrees with gpsd's. */
    put_u(o, "airdraught", U(56, 11));
    return true;
  case 16: /* IMO289 layout when the payload is 136 bits, else IMO236's */
    put_u(o, "persons", n - 88 == 136 ? U(88, 13) : U(55, 13));
    return true;
  case 18: { /* IMO289 clearance time to enter port */
    put_u(o, "linkage", U(88, 10));
    kpw_buf_printf(o, ",\"arrival\":\"%02u-%02uT%02u:%02uZ\"", (unsigned)U(98, 4),
                   (unsigned)U(102, 5), (unsigned)U(107, 5), (unsigned)U(112, 6));
    put_text(o, "portname", b, 118, 20);
    put_text(o, "destination", b, 238, 5);
    put_pos(o, "lon", S(268, 25), scaled, LATLON3_DIV, 4);
    put_pos(o, "lat", S(293, 24), scaled, LATLON3_DIV, 4);
    return true;
  }
  case 20: { /* IMO289 berthing data */
    static const char *const services[26] = {
      "agent", "fuel", "chandler", "stevedore", "electrical", "water",
      "customs", "cartage", "crane", "lift", "medical", "navrepair",
      "provisions", "shiprepair", "surveyor", "steam", "tugs", "solidwaste",
      "liquidwaste", "hazardouswaste", "ballast", "additional", "regional1",
      "regional2", "future1", "future2"};
    uint32_t pos = U(115, 3);
    put_u(o, "linkage", U(88, 10));
    put_u(o, "berth_length", U(98, 9));
    put_u(o, "position", pos);
    put_s(o, "position_text", position_types[pos]);
    kpw_buf_printf(o, ",\"arrival\":\"%u-%uT%u:%u\"", (unsigned)U(118, 4), (unsigned)U(122, 5),
                   (unsigned)U(127, 5), (unsigned)U(132, 6));
    put_u(o, "availability", U(138, 1));
    for (unsigned i = 0; i < 26; i++) put_u(o, services[i], U(139 + 2 * i, 2));
    put_text(o, "berth_name", b, 191, 20);
    put_pos(o, "berth_lon", S(311, 25), scaled, LATLON3_DIV, 4);
    put_pos(o, "berth_lat", S(336, 24), scaled, LATLON3_DIV, 4);
    if (scaled) put_f(o, "berth_depth", 1, U(107, 8) * 0.1);
    else put_u(o, "berth_depth", U(107, 8));
    return true;
  }
  case 25: /* IMO289 dangerous cargo indication; gpsd holds 28 cargos */
    put_u(o, "unit", U(88, 2));
    put_u(o, "amount", U(90, 10));
    kpw_buf_puts(o, ",\"cargos\":[");
    for (unsigned i = 0; i < 28 && 100 + 17 * (size_t)i < n; i++) {
      size_t a = 100 + 17 * (size_t)i;
      kpw_buf_printf(o, "%s{\"code\":%u,\"subtype\":%u}", i ? "," : "", (unsigned)U(a, 4),
                     (unsigned)U(a + 4, 13));
    }
    kpw_buf_putc(o, ']');
    return true;
  case 28: route_info(b, scaled, o, 88); return true;
  case 30:
    put_u(o, "linkage", U(88, 10));
    put_endtext(o, "text", b, 98);
    return true;
  default: return false; /* incl. FI 23 area notice, which gpsd skips */
  }
}

static bool decode6(const ais_bits *b, bool scaled, kpw_buf *o) {
  if (b->nbits < 88 || b->nbits > 1008) return false;
  uint32_t dac = U(72, 10), fid = U(82, 6);
  put_u(o, "seqno", U(38, 2));
  put_u(o, "dest_mmsi", U(40, 30));
  put_b(o, "retransmit", U(70, 1));
  put_u(o, "dac", dac);
  put_u(o, "fid", fid);
  if (!type6_app(b, scaled, o, dac, fid)) put_data(o, b, 88, b->nbits - 88, b->nbits);
  return true;
}

/* ------------------------------------------------------------ type 8 */

/* The surface currents, waves, swell and sea state of the two met/hydro
** messages: the same 111-bit layout, starting at bit `at` (IMO 236: 211,
** IMO 289: 215). Speeds and heights are tenths when scaled. */
static void currents_waves(const ais_bits *b, bool scaled, kpw_buf *o, size_t at) {
#define TENTHS_AT(k, off, n) (scaled ? put_f(o, (k), 1, U(at + (off), (n)) / 10.0) : put_u(o, (k), U(at + (off), (n))))
  TENTHS_AT("cspeed", 0, 8);
  put_u(o, "cdir", U(at + 8, 9));
  TENTHS_AT("cspeed2", 17, 8);
  put_u(o, "cdir2", U(at + 25, 9));
  put_u(o, "cdepth2", U(at + 34, 5));
  TENTHS_AT("cspeed3", 39, 8);
  put_u(o, "cdir3", U(at + 47, 9));
  put_u(o, "cdepth3", U(at + 56, 5));
  TENTHS_AT("waveheight", 61, 8);
  put_u(o, "waveperiod", U(at + 69, 6));
  put_u(o, "wavedir", U(at + 75, 9));
  TENTHS_AT("swellheight", 84, 8);
  put_u(o, "swellperiod", U(at + 92, 6));
  put_u(o, "swelldir", U(at + 98, 9));
  put_u(o, "seastate", U(at + 107, 4));
#undef TENTHS_AT
}

/* IMO236 meteorological/hydrological data (DAC 1, FI 11): all fields
** unsigned with offsets. */
static void met236(const ais_bits *b, bool scaled, kpw_buf *o) {
  put_pos(o, "lat", S(56, 24), scaled, LATLON3_DIV, 4);
  put_pos(o, "lon", S(80, 25), scaled, LATLON3_DIV, 4);
  kpw_buf_printf(o, ",\"timestamp\":\"%02uT%02u:%02uZ\"", (unsigned)U(105, 5),
                 (unsigned)U(110, 5), (unsigned)U(115, 6));
  put_u(o, "wspeed", U(121, 7));
  put_u(o, "wgust", U(128, 7));
  put_u(o, "wdir", U(135, 9));
  put_u(o, "wgustdir", U(144, 9));
  put_u(o, "humidity", U(164, 7));
  uint32_t airtemp = U(153, 11), dewpoint = U(171, 10), pressure = U(181, 9);
  uint32_t ptend = U(190, 2), vis = U(192, 8), wlevel = U(200, 9), ltrend = U(209, 2);
  uint32_t precip = U(332, 3), ice = U(344, 2);
  if (scaled) {
    put_f(o, "airtemp", 1, ((int)airtemp - 600) / 10.0);
    put_f(o, "dewpoint", 1, ((int)dewpoint - 200) / 10.0);
    put_u(o, "pressure", pressure + 800);
    put_s(o, "pressuretend", trends[ptend]);
    put_f(o, "visibility", 1, vis / 10.0);
    put_f(o, "waterlevel", 1, ((int)wlevel - 100) / 10.0);
    put_s(o, "leveltrend", trends[ltrend]);
  } else {
    put_u(o, "airtemp", airtemp);
    put_u(o, "dewpoint", dewpoint);
    put_u(o, "pressure", pressure);
    put_u(o, "pressuretend", ptend);
    put_u(o, "visibility", vis);
    put_i(o, "waterlevel", (int32_t)wlevel);
    put_u(o, "leveltrend", ltrend);
  }
  /* speeds and heights in tenths when scaled */
  currents_waves(b, scaled, o, 211);
  if (scaled) put_f(o, "watertemp", 1, ((int)U(322, 10) - 100) / 10.0);
  else put_u(o, "watertemp", U(322, 10));
  put_u(o, "preciptype", precip);
  put_s(o, "preciptype_text", preciptypes[precip]);
  if (scaled) put_f(o, "salinity", 1, U(335, 9) / 10.0);
  else put_u(o, "salinity", U(335, 9));
  put_u(o, "ice", ice);
  put_s(o, "ice_text", ice_legend[ice]);
}

/* IMO289 meteorological/hydrological data (DAC 1, FI 31): signed
** temperatures, 0.1 units. */
static void met289(const ais_bits *b, bool scaled, kpw_buf *o) {
  put_pos(o, "lat", S(81, 24), scaled, LATLON3_DIV, 4);
  put_pos(o, "lon", S(56, 25), scaled, LATLON3_DIV, 4);
  put_b(o, "accuracy", U(105, 1));
  kpw_buf_printf(o, ",\"timestamp\":\"%02uT%02u:%02uZ\"", (unsigned)U(106, 5),
                 (unsigned)U(111, 5), (unsigned)U(116, 6));
  put_u(o, "wspeed", U(122, 7));
  put_u(o, "wgust", U(129, 7));
  put_u(o, "wdir", U(136, 9));
  put_u(o, "wgustdir", U(145, 9));
  put_u(o, "humidity", U(165, 7));
  int32_t airtemp = S(154, 11), dewpoint = S(172, 10), wtemp = S(326, 10);
  uint32_t pressure = U(182, 9), ptend = U(191, 2), vis = U(194, 7);
  uint32_t wlevel = U(201, 12), ltrend = U(213, 2), precip = U(336, 3), ice = U(348, 2);
  if (scaled) {
    put_f(o, "airtemp", 1, airtemp / 10.0);
    put_f(o, "dewpoint", 1, dewpoint / 10.0);
    put_u(o, "pressure", pressure + 799);
    put_s(o, "pressuretend", trends[ptend]);
  } else {
    put_i(o, "airtemp", airtemp);
    put_i(o, "dewpoint", dewpoint);
    put_u(o, "pressure", pressure);
    put_u(o, "pressuretend", ptend);
  }
  put_b(o, "visgreater", U(193, 1));
  if (scaled) {
    put_f(o, "visibility", 1, vis / 10.0);
    /* gpsd: computes (unsigned)level - 1000, which wraps below 10 m; the
    ** signed value is what the field means. */
    put_f(o, "waterlevel", 1, ((int)wlevel - 1000) / 100.0);
    put_s(o, "leveltrend", trends[ltrend]);
  } else {
    put_u(o, "visibility", vis);
    put_i(o, "waterlevel", (int32_t)wlevel);
    put_u(o, "leveltrend", ltrend);
  }
  currents_waves(b, scaled, o, 215);
  if (scaled) {
    put_f(o, "watertemp", 1, wtemp / 10.0);
    put_s(o, "preciptype", preciptypes[precip]);
    put_f(o, "salinity", 1, U(339, 9) / 10.0);
    put_s(o, "ice", ice_legend[ice]);
  } else {
    put_i(o, "watertemp", wtemp);
    put_u(o, "preciptype", precip);
    put_u(o, "salinity", U(339, 9));
    put_u(o, "ice", ice);
  }
}

/* VTS-generated/synthetic targets (DAC 1, FI 17): 122-bit elements, decoded
** while the element's first bit is <= the length, at most 4 (gpsd's). */
static void vts_targets(const ais_bits *b, bool scaled, kpw_buf *o) {
  kpw_buf_puts(o, ",\"targets\":[");
  for (unsigned i = 0; i < 4 && 56 + 122 * (size_t)i <= b->nbits; i++) {
    size_t a = 56 + 122 * (size_t)i;
    uint32_t idtype = U(a, 2);
    kpw_buf_printf(o, "%s{\"idtype\":%u", i ? "," : "", (unsigned)idtype);
    put_s(o, "idtype_text", idtypes[idtype]);
    if (idtype <= 1) {
      /* a 42-bit identifier kept in a 32-bit integer: its low 32 bits */
      kpw_buf_printf(o, ",\"%s\":\"%u\"", idtypes[idtype], (unsigned)U(a + 12, 32));
    } else {
      put_text(o, idtypes[idtype], b, a + 2, 7);
    }
    int32_t lat = S(a + 48, 24), lon = S(a + 72, 25);
    put_pos(o, "lat", lat, scaled, LATLON3_DIV, 4);
    put_pos(o, "lon", lon, scaled, LATLON3_DIV, 4);
    put_u(o, "course", U(a + 97, 9));
    put_u(o, "second", U(a + 106, 6));
    put_u(o, "speed", U(a + 112, 10));
    kpw_buf_putc(o, '}');
  }
  kpw_buf_putc(o, ']');
}

static bool type8_app(const ais_bits *b, bool scaled, kpw_buf *o, uint32_t dac, uint32_t fid) {
  size_t n = b->nbits;
  if (dac == 1) {
    switch (fid) {
    case 11: met236(b, scaled, o); return true;
    case 13: /* IMO236 fairway closed */
      put_text(o, "reason", b, 56, 20);
      put_text(o, "closefrom", b, 176, 20);
      put_text(o, "closeto", b, 296, 20);
      put_u(o, "radius", U(416, 10));
      put_u(o, "extunit", U(426, 2));
      kpw_buf_printf(o, ",\"from\":\"%02u-%02uT%02u:%02u\"", (unsigned)U(433, 4),
                     (unsigned)U(428, 5), (unsigned)U(437, 5), (unsigned)U(442, 6));
      kpw_buf_printf(o, ",\"to\":\"%02u-%02uT%02u:%02u\"", (unsigned)U(453, 4),
                     (unsigned)U(448, 5), (unsigned)U(457, 5), (unsigned)U(462, 6));
      return true;
    case 15: put_u(o, "airdraught", U(56, 11)); return true;
    case 16:
      /* gpsd decodes only these two lengths (and then prints a member of
      ** the type 6 union by mistake; we print the decoded value). */
      if (n - 56 == 136) put_u(o, "persons", U(88, 13));
      else if (n - 56 == 72) put_u(o, "persons", U(55, 13));
      else return false;
      return true;
    case 17: vts_targets(b, scaled, o); return true;
    case 19: { /* IMO289 marine traffic signal */
      uint32_t sig = U(237, 5), next = U(253, 5);
      put_u(o, "linkage", U(56, 10));
      put_text(o, "station", b, 66, 20);
      /* gpsd prints this position in degrees even in raw mode */
      put_f(o, "lon", 4, S(186, 25) / LATLON3_DIV);
      put_f(o, "lat", 4, S(211, 24) / LATLON3_DIV);
      put_u(o, "status", U(235, 2));
      put_u(o, "signal", sig);
      put_s(o, "signal_text", signal_text(sig));
      put_u(o, "hour", U(242, 5));
      put_u(o, "minute", U(247, 6));
      /* gpsd: omits the comma before nextsignal_text (invalid JSON) */
      put_u(o, "nextsignal", next);
      put_s(o, "nextsignal_text", signal_text(next));
      return true;
    }
    case 27: route_info(b, scaled, o, 56); return true;
    case 29:
      put_u(o, "linkage", U(56, 10));
      put_endtext(o, "text", b, 66);
      return true;
    case 31: met289(b, scaled, o); return true;
    default: return false; /* FI 21, 22, 24, 25, 26: gpsd does not decode */
    }
  }
  if (dac != 200) return false;
  switch (fid) {
  case 10: { /* inland ship static and voyage related data */
    if (n != 168) return false;
    uint32_t shiptype = U(127, 14), hazard = U(141, 3), loaded = U(155, 2);
    /* gpsd's guard against other applications using this DAC/FI */
    if (hazard > 5) return false;
    put_text(o, "vin", b, 56, 8);
    put_u(o, "length", U(104, 13));
    put_u(o, "beam", U(117, 10));
    put_u(o, "shiptype", shiptype);
    put_s(o, "shiptype_text", inland_shiptype(shiptype));
    put_u(o, "hazard", hazard);
    put_s(o, "hazard_text", LEGEND(hazard_types, hazard, "INVALID HAZARD TYPE"));
    put_u(o, "draught", U(144, 11));
    put_u(o, "loaded", loaded);
    put_s(o, "loaded_text", LEGEND(lstatus_types, loaded, "INVALID LOAD STATUS"));
    put_b(o, "speed_q", U(157, 1));
    put_b(o, "course_q", U(158, 1));
    put_b(o, "heading_q", U(159, 1));
    return true;
  }
  case 23: { /* EMMA warning */
    if (n != 256) return false;
    /* gpsd prints the start as year-month-hour T minute:day (argument
    ** order slip in gpsd); reproduced so both agree. */
    kpw_buf_printf(o, ",\"start\":\"%4u-%02u-%02uT%02u:%02u\"", (unsigned)U(56, 8) + 2000,
                   (unsigned)U(64, 4), (unsigned)U(90, 5), (unsigned)U(95, 6),
                   (unsigned)U(68, 5));
    kpw_buf_printf(o, ",\"end\":\"%4u-%02u-%02uT%02u:%02u\"", (unsigned)U(73, 8) + 2000,
                   (unsigned)U(81, 4), (unsigned)U(85, 5), (unsigned)U(101, 5),
                   (unsigned)U(106, 6));
    put_pos(o, "start_lon", S(112, 28), scaled, LATLON4_DIV, 6);
    put_pos(o, "start_lat", S(140, 27), scaled, LATLON4_DIV, 6);
    put_pos(o, "end_lon", S(167, 28), scaled, LATLON4_DIV, 6);
    put_pos(o, "end_lat", S(195, 27), scaled, LATLON4_DIV, 6);
    uint32_t type = U(222, 4), cls = U(244, 2), wind = U(246, 4);
    put_u(o, "type", type);
    put_s(o, "type_text", LEGEND(emma_types, type, "INVALID EMMA TYPE"));
    put_i(o, "min", S(226, 9));
    put_i(o, "max", S(235, 9));
    put_u(o, "class", cls);
    put_s(o, "class_text", LEGEND(emma_classes, cls, "INVALID EMMA TYPE"));
    put_u(o, "wind", wind);
    put_s(o, "wind_text", LEGEND(emma_winds, wind, "INVALID EMMA WIND DIRECTION"));
    return true;
  }
  case 24: /* water levels: 4 gauges of 25 bits */
    if (n != 168) return false;
    put_text(o, "country", b, 56, 2);
    kpw_buf_puts(o, ",\"gauges\":[");
    for (unsigned i = 0; i < 4; i++) {
      size_t a = 68 + 25 * (size_t)i;
      kpw_buf_printf(o, "%s{\"id\":%u,\"level\":%d}", i ? "," : "", (unsigned)U(a, 11),
                     (int)S(a + 11, 14));
    }
    kpw_buf_putc(o, ']');
    return true;
  case 40: { /* signal status */
    if (n != 168) return false;
    put_pos(o, "lon", S(56, 28), scaled, LATLON4_DIV, 6);
    put_pos(o, "lat", S(84, 27), scaled, LATLON4_DIV, 6);
    uint32_t dir = U(124, 3), status = U(127, 30);
    put_u(o, "form", U(111, 4));
    put_u(o, "facing", U(115, 9));
    put_u(o, "direction", dir);
    put_s(o, "direction_text", LEGEND(direction_vocabulary, dir, "INVALID DIRECTION"));
    put_u(o, "status", status);
    put_s(o, "status_text", LEGEND(status_vocabulary, status, "INVALID STATUS"));
    return true;
  }
  default: return false;
  }
}

static bool decode8(const ais_bits *b, bool scaled, kpw_buf *o) {
  if (b->nbits < 56 || b->nbits > 1008) return false;
  uint32_t dac = U(40, 10), fid = U(50, 6);
  put_u(o, "dac", dac);
  put_u(o, "fid", fid);
  /* An application that fails gpsd's checks part-way leaves nothing behind:
  ** the members it wrote are dropped and the payload dumped instead. */
  size_t mark = o->len;
  if (!type8_app(b, scaled, o, dac, fid)) {
    o->len = mark;
    o->data[mark] = '\0';
    put_data(o, b, 56, b->nbits - 56, b->nbits);
  }
  return true;
}

/* ------------------------------------------------------------ types 25/26
** Addressed/structured flags select whether a 30-bit destination and a
** 16-bit application id precede the data; gpsd prints 0 for absent ones. */
static bool decode25_26(int type, const ais_bits *b, kpw_buf *o) {
  size_t n = b->nbits;
  if (type == 25 ? (n < 40 || n > 168) : (n < 60 || n > 1004)) return false;
  bool addressed = U(38, 1), structured = U(39, 1);
  size_t tail = type == 26 ? 20 : 0; /* type 26 ends with radio status */
  size_t start = 40 + 30 * (size_t)addressed + 16 * (size_t)structured;
  if (n < start + tail) return false;
  put_b(o, "addressed", addressed);
  put_b(o, "structured", structured);
  put_u(o, "dest_mmsi", addressed ? U(40, 30) : 0);
  put_u(o, "app_id", structured ? U(40 + 30 * (size_t)addressed, 16) : 0);
  size_t bitcount = n - start - tail;
  /* gpsd copies whole bytes from bit 40+16*structured before dropping the
  ** destination, so the last byte may carry following bits up to there. */
  size_t from = 40 + 16 * (size_t)structured;
  size_t limit = from + ((n - tail - from + 7) / 8) * 8;
  if (limit > n) limit = n;
  put_data(o, b, start, bitcount, limit);
  /* gpsd: never decodes the radio field of type 26 (prints a stale value);
  ** we print the 20 radio status bits that end the message. */
  if (type == 26) put_u(o, "radio", U(n - 20, 20));
  return true;
}

#undef U
#undef S

bool ais_decode_binary(int type, const ais_bits *b, bool scaled, kpw_buf *out) {
  switch (type) {
  case 6: return decode6(b, scaled, out);
  case 8: return decode8(b, scaled, out);
  case 25:
  case 26: return decode25_26(type, b, out);
  default: return false;
  }
}
