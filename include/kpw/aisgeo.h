/*
** aisgeo.h -- the geography and identity side of `kpwatch ais detect`:
** distance from shore (lib/ais/shore.c), the port model with the DPRK ports
** and polygons such as the DPRK EEZ (lib/ais/ports.c), MMSI/IMO checks, and
** the constructors of the detectors port_call + dark_port_call
** (det_portcall.c), identity_change and spoofing (det_identity.c) and
** screening_match (det_screen.c). docs/cmd-ais-detect-geo.md.
**
** Every structure here is read-only after it is built, except kpw_shore,
** whose query cache is filled as it is queried: use one kpw_shore per thread.
*/
#ifndef KPW_AISGEO_H
#define KPW_AISGEO_H

#include "kpw/aisdetect.h"
#include "kpw/screen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ shore
** Coastline from Natural Earth 1:10m land (TopoJSON, npm package
** world-atlas 2.0.2, file land-10m.json, installed by scripts/setup.sh);
** never fetched at run time. */
typedef struct kpw_shore kpw_shore;

/* The coastline file used when none is given: $KPW_SHORE if set, else the
** first of the npm global install paths that exists; NULL if none does. */
const char *kpw_shore_default_path(void);
/* Load a TopoJSON land topology (path NULL: kpw_shore_default_path()).
** KPW_ENOTFOUND when path is NULL and no default exists; KPW_EINPUT with
** the file and offset on bad input. */
kpw_result kpw_shore_load(const char *path, kpw_shore **out, kpw_error *err);
/* Distance in nautical miles from (lat, lon) to the nearest coastline, 0 on
** land; NAN when s is NULL or the position is not valid. Fills a cache. */
double kpw_shore_nm(kpw_shore *s, double lat, double lon);
/* Whether the position is on land (false when s is NULL). */
bool kpw_shore_on_land(kpw_shore *s, double lat, double lon);
size_t kpw_shore_segments(const kpw_shore *s);
void kpw_shore_free(kpw_shore *s);

/* ------------------------------------------------------------ polygons
** (Multi)polygons from GeoJSON (Polygon, MultiPolygon, Feature,
** FeatureCollection, GeometryCollection); holes by the even-odd rule, in
** plain lat/lon (as the data are drawn). Longitudes are taken as given, so
** a polygon must not cross the antimeridian. */
typedef struct kpw_geo_poly kpw_geo_poly;
kpw_result kpw_geo_poly_load(const char *path, kpw_geo_poly **out, kpw_error *err);
kpw_result kpw_geo_poly_parse(const char *text, size_t n, const char *source,
                              kpw_geo_poly **out, kpw_error *err);
/* A polygon from one ring of n (lat, lon) vertices (closed implicitly). */
kpw_geo_poly *kpw_geo_poly_ring(const double *lat, const double *lon, size_t n);
bool kpw_geo_poly_contains(const kpw_geo_poly *p, double lat, double lon);
size_t kpw_geo_poly_vertices(const kpw_geo_poly *p);
void kpw_geo_poly_free(kpw_geo_poly *p);

/* ------------------------------------------------------------ ports
** A port is a point with entry/exit rings (kpw_ais_params port_entry_km /
** port_exit_km, GFW's 3 km / 4 km); a zone is a named polygon (the Nampo
** approaches with the Chodo anchorage waters). The DPRK set is built in
** (the 10 World Port Index points, data/dprk_ports.csv); --ports adds a
** world list used to recognise port anchorages. */
typedef struct kpw_port {
  const char *name;       /* "NAMPO" */
  double lat, lon;
  char country[3];        /* ISO2 lower ("kp"), "" when unknown */
  bool dprk;
  const char *source;     /* "WPI", a file name, ... */
} kpw_port;

typedef struct kpw_ports kpw_ports;
/* A port set with the built-in DPRK ports and zones. */
kpw_ports *kpw_ports_new(void);
/* An empty set (tests, or a DPRK list read from a file). */
kpw_ports *kpw_ports_new_empty(void);
/* Add ports from a CSV with a header: name,lat,lon[,country][,kind][,source]
** (also latitude/longitude; WPI-style iso3,label,latitude,longitude). kind
** "zone" rows are the vertices, in order, of the zone of that name. Country
** "KP"/"PRK"/"North Korea" marks DPRK ports and zones. */
kpw_result kpw_ports_load_csv(kpw_ports *ps, const char *path, kpw_error *err);
/* Add every port before the first query: queries sort the set, so a port
** pointer is valid until the next kpw_ports_load_csv. */
size_t kpw_ports_count(const kpw_ports *ps);
const kpw_port *kpw_ports_get(const kpw_ports *ps, size_t i);
/* The nearest port within max_km (any country, or DPRK only), NULL if none;
** *km gets its distance. Grid-indexed. */
const kpw_port *kpw_ports_nearest(const kpw_ports *ps, double lat, double lon,
                                  double max_km, bool dprk_only, double *km);
/* Name of the zone containing the point (NULL if none); *dprk set. */
const char *kpw_ports_zone_at(const kpw_ports *ps, double lat, double lon, bool *dprk);
size_t kpw_ports_zone_count(const kpw_ports *ps);
void kpw_ports_free(kpw_ports *ps);

/* ------------------------------------------------------------ bundle
** What the geography detectors consult; each member may be NULL. Pass a
** kpw_ais_geo* as kpw_ais_ctx.geo with kpw_ais_geo_shore_nm as shore_nm. */
typedef struct kpw_ais_geo {
  kpw_shore *shore;
  kpw_ports *ports;
  kpw_geo_poly *eez;      /* DPRK waters (--eez FILE) */
  double anchorage_km;    /* radius of a port's anchorage area (world ports) */
} kpw_ais_geo;
double kpw_ais_geo_shore_nm(void *geo, double lat, double lon);
/* In the anchorage area (anchorage_km) of a known non-DPRK port, and not
** in DPRK waters, a DPRK port ring or zone: kpw_ais_ctx.in_foreign_port. */
bool kpw_ais_geo_in_foreign_port(void *geo, double lat, double lon);
/* Add the ports of the npm package sea-ports (lib/ports.json: UN/LOCODE
** keyed objects with name, country and [lon, lat] coordinates). */
kpw_result kpw_ports_load_seaports(kpw_ports *ps, const char *path, kpw_error *err);
/* Where scripts/setup.sh installs it ($KPW_PORTS overrides); NULL if absent. */
const char *kpw_ports_default_path(void);

/* ------------------------------------------------------------ identifiers */
/* ISO2 (lower) of the Maritime Identification Digits of a ship MMSI
** (MIDxxxxxx), or of the MID inside coast-station (00MID), SAR aircraft
** (111MID) and AtoN (99MID) numbers; NULL when unallocated. The string is
** a per-thread buffer, valid until the next call in the same thread. */
const char *kpw_mid_country(int mid);
typedef enum kpw_mmsi_class {
  KPW_MMSI_INVALID = 0, KPW_MMSI_SHIP, KPW_MMSI_COAST, KPW_MMSI_GROUP,
  KPW_MMSI_SAR, KPW_MMSI_ATON, KPW_MMSI_CRAFT, KPW_MMSI_SART_MOB_EPIRB
} kpw_mmsi_class;
kpw_mmsi_class kpw_mmsi_classify(uint32_t mmsi, int *mid);
/* Whether a 7-digit IMO ship number has a valid check digit. */
bool kpw_imo_valid(uint32_t imo);
/* AIS name normalised for comparison: upper case, '@' and padding dropped,
** runs of spaces folded. Writes out (cap >= 1). */
void kpw_ais_name_norm(const char *in, char *out, size_t cap);

/* ------------------------------------------------------------ detectors
** Each fills *out (callbacks + state); out->free(out->state) releases it.
** The geo bundle and screener must outlive the detector. */
typedef struct kpw_portcall_opts {
  bool all_ports;         /* also emit port_call at non-DPRK ports (confidence >= 2) */
} kpw_portcall_opts;
/* "port_call" and "dark_port_call" (two detectors over one port model). */
kpw_result kpw_ais_det_portcall_new(const kpw_ais_geo *geo, const kpw_portcall_opts *o,
                                    kpw_ais_detector *out, kpw_error *err);
kpw_result kpw_ais_det_darkport_new(const kpw_ais_geo *geo, kpw_ais_detector *out,
                                    kpw_error *err);
/* "identity_change": name/IMO/call sign/ship type per MMSI, MID changes per IMO. */
kpw_result kpw_ais_det_identity_new(kpw_ais_detector *out, kpw_error *err);
/* "spoofing": one MMSI in two places, position jumps, out-of-range
** positions, invalid MMSI/IMO. */
kpw_result kpw_ais_det_spoofing_new(kpw_ais_detector *out, kpw_error *err);
/* "screening_match": vessels against the lists (IMO, MMSI, names). */
kpw_result kpw_ais_det_screen_new(const kpw_screener *scr, double threshold,
                                  kpw_ais_detector *out, kpw_error *err);

/* ------------------------------------------------------------ vessel state
** Per-vessel detector state in an array indexed by the driver's dense vessel
** index (kpw_ais_ctx.vid; reused after `evict`, so memory follows the
** vessels active at once). Slots are zeroed when the array grows and by
** kpw_vstate_clear; pointers are valid until the next kpw_vstate_get. */
typedef struct kpw_vstate { unsigned char *a; size_t cap, esz; } kpw_vstate;
void kpw_vstate_init(kpw_vstate *v, size_t esz);
void *kpw_vstate_get(kpw_vstate *v, uint32_t vid);
void *kpw_vstate_peek(const kpw_vstate *v, uint32_t vid);  /* NULL beyond the array */
void kpw_vstate_clear(kpw_vstate *v, uint32_t vid);
void kpw_vstate_free(kpw_vstate *v);
/* The subject of vessel vid: the driver's (kpw_ais_ctx.subject) when there
** is one, else "mmsi:NNNNNNNNN" from mmsi, else "vid:N". buf >= 24 bytes. */
const char *kpw_ais_subject(const kpw_ais_ctx *c, uint32_t vid, uint32_t mmsi, char *buf);

/* A hash table keyed by strings (open addressing, values zeroed on
** creation, pointers stable until free), for state not tied to a vessel
** index (e.g. per IMO number). */
typedef struct kpw_vtab kpw_vtab;
kpw_vtab *kpw_vtab_new(size_t value_size);
void *kpw_vtab_get(kpw_vtab *t, const char *key, bool create);
size_t kpw_vtab_count(const kpw_vtab *t);
void *kpw_vtab_at(kpw_vtab *t, size_t i);          /* in insertion order */
const char *kpw_vtab_key(const kpw_vtab *t, size_t i);
void kpw_vtab_free(kpw_vtab *t);

#ifdef __cplusplus
}
#endif
#endif
