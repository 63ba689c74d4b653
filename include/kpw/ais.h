/*
** ais.h -- AIS: decoding NMEA 0183 AIVDM/AIVDO into gpsd-compatible JSON,
** and vessel tracks (positions and identities) from NMEA or CSV exports,
** the input of the maritime detectors (docs/cmd-ais.md).
*/
#ifndef KPW_AIS_H
#define KPW_AIS_H

#include <math.h>
#include "kpw/kpw.h"
#include "kpw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ decoding
** (lib/ais/nmea.c, lib/ais/types*.c) */
typedef struct kpw_ais_decoder kpw_ais_decoder;

typedef struct kpw_ais_decode_opts {
  bool scaled;          /* degrees/knots (default) vs gpsd raw units */
  bool strict;          /* a bad checksum is an error, not a count */
  bool split24;         /* also emit each type-24 part A as it comes and
                           each part B that found no part A ("part":"A"/"B"),
                           as gpsdecode -s; a joined A+B is always emitted */
} kpw_ais_decode_opts;

typedef struct kpw_ais_stats {
  uint64_t lines, sentences, messages;      /* messages = decoded AIS messages */
  uint64_t bad_checksum, garbage_lines, bad_fields;
  uint64_t incomplete;                       /* fragments never completed */
  uint64_t unsupported;                      /* types or lengths gpsd rejects too */
} kpw_ais_stats;

/* One decoded message handed to the caller. */
typedef struct kpw_ais_message {
  int type;
  uint32_t mmsi;
  int64_t time_us;            /* from a tag block c:/$PGHP, else KPW_TIME_NONE (finding.h) */
  const char *source;         /* input name */
  uint64_t line;              /* line of its first fragment */
  const char *json;           /* gpsd-style JSON object (no newline) */
  size_t json_len;
  /* position/identity extracted for the detectors (NAN / 0 / "" when absent) */
  double lat, lon, sog, cog, heading;
  uint32_t imo;
  char shipname[24], callsign[8];
  int shiptype;
} kpw_ais_message;

/* Called once per decoded message; m and m->json are valid only during
** the call. */
typedef void (*kpw_ais_callback)(const kpw_ais_message *m, void *ctx);

/* A streaming decoder: NMEA 0183 !xxVDM/!xxVDO from any talker, with
** NMEA 4 tag blocks (\s:,c:,g:,n:,t:...*hh\, checksum checked when given)
** and Gatehouse $PGHP timestamp lines; multi-sentence messages are
** reassembled by (talker, VDM/VDO, channel, sequence id) or by the tag
** block's g: group, in any fragment order, in a fixed number of pending
** slots (oldest evicted and counted as incomplete). Lines that are not
** AIS are skipped and counted. Memory is fixed after creation. opts may
** be NULL (scaled output, lenient). */
kpw_ais_decoder *kpw_ais_decoder_new(const kpw_ais_decode_opts *opts);
/* Feed one line (with or without its newline). Returns KPW_OK, or
** KPW_EINPUT (err filled with source:line) on a bad checksum when
** opts.strict; nothing else is an error. */
kpw_result kpw_ais_decoder_feed_line(kpw_ais_decoder *d, const char *line, size_t n,
                                     const char *source, uint64_t lineno,
                                     kpw_ais_callback cb, void *ctx, kpw_error *err);
/* Feed a whole stream (kpw_input: plain, .bz2 or .zst), line by line.
** Lines are numbered from 1 per stream; a line longer than 64 KiB is
** counted as garbage and skipped. Returns KPW_OK at the end of the
** stream, KPW_EIO on a read error, or KPW_EINPUT as feed_line. */
kpw_result kpw_ais_decoder_feed_input(kpw_ais_decoder *d, kpw_input *in,
                                      kpw_ais_callback cb, void *ctx, kpw_error *err);
/* Drop every pending fragment group (each counted as incomplete) and the
** pending $PGHP time, e.g. at the end of a file. The type-24 join queue
** is kept (gpsd keeps it across its input). */
void kpw_ais_decoder_flush(kpw_ais_decoder *d);
const kpw_ais_stats *kpw_ais_decoder_stats(const kpw_ais_decoder *d);
void kpw_ais_decoder_free(kpw_ais_decoder *d);

/* ------------------------------------------------------------ tracks
** A fix of one vessel, from decoded NMEA or a CSV export (NOAA
** MarineCadastre, Danish Maritime Authority, generic). lib/ais/tracks.c */
typedef struct kpw_ais_fix {
  int64_t t_us;               /* UTC microseconds */
  uint32_t mmsi;              /* 0 when the source names vessels otherwise */
  char vessel_id[40];         /* the vessel key as given (mmsi digits or vessel_id) */
  double lat, lon;            /* degrees; NAN when not available (91/181) */
  double sog, cog, heading;   /* knots, degrees; NAN when not available */
  /* identity when the record carries it (types 5/24, CSV columns) */
  uint32_t imo;
  char name[24], callsign[8];
  int shiptype;
  const char *source;
  uint64_t line;
} kpw_ais_fix;

typedef enum kpw_track_format {
  KPW_TRACK_AUTO = 0, KPW_TRACK_NMEA, KPW_TRACK_NOAA, KPW_TRACK_DMA, KPW_TRACK_GENERIC
} kpw_track_format;

typedef struct kpw_track_reader kpw_track_reader;
kpw_result kpw_track_open(const char *path, kpw_track_format fmt, kpw_track_reader **out, kpw_error *err);
/* Next fix in file order; KPW_DONE at the end. Bad records are counted and
** skipped (kpw_track_stats), never fatal. */
kpw_result kpw_track_next(kpw_track_reader *r, kpw_ais_fix *fix, kpw_error *err);
kpw_track_format kpw_track_format_of(const kpw_track_reader *r);
const kpw_ais_stats *kpw_track_stats(const kpw_track_reader *r);
/* The first bad record skipped so far ("file:line: what"), false if none. */
bool kpw_track_first_bad(const kpw_track_reader *r, kpw_error *out);
void kpw_track_close(kpw_track_reader *r);

#ifdef __cplusplus
}
#endif
#endif
