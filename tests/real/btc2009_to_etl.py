#!/usr/bin/env python3
"""btc2009_to_etl.py -- convert the 2009 Bitcoin tables (TaintedTX's CSV export
in ../shared/data/chain/btc_2009_tables) into bitcoin-etl JSON lines, one
transaction per line in chain order, for `kpwatch chain index`.

usage: btc2009_to_etl.py TABLES_DIR OUT.json [--oracle]

Table layout (TaintedTX): tx_hash.csv (tx_index, tx_hash), tx_height.csv
(tx_index, block_index), adr_hash.csv (adr_index, adr_hash), tx_output.csv
(output_index = global output number, tx_index, adr_index, output_value,
spent_index), tx_input.csv (output_index = the global output spent, tx_index
= the spending tx, adr_index, input_value, spent_index = the tx that made the
output). An output's vout is its rank among its tx's outputs by global number.

Quirks handled: 2,052 hashes lost a final 'b' in the export (63 hex digits:
the 'b' is put back); 5 output address indexes have no adr_hash row (non-
standard scripts): they get the address text "nonstandard<adr_index>", as a
bitcoin-etl export names scripts it cannot decode, so each still is one
address entity.

With --oracle it also prints, on stdout, an independent common-input
clustering of the same data as one JSON line {"addresses","clusters",
"largest","multi_input_txs","largest_members"} (plain union-find over the tables, no CoinJoin
filter: no 2009 transaction has a CoinJoin's shape).
"""
import csv
import json
import os
import sys


def rows(d, name):
    with open(os.path.join(d, name), newline='') as f:
        yield from csv.DictReader(f)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    oracle = '--oracle' in sys.argv[1:]
    if len(args) != 2:
        sys.stderr.write(__doc__.split('\n\n')[1] + '\n')
        return 2
    d, out = args

    def txhash(h):
        return h + 'b' if len(h) == 63 else h

    tx_hash = {int(r['tx_index']): txhash(r['tx_hash']) for r in rows(d, 'tx_hash.csv')}
    height = {int(r['tx_index']): int(r['block_index']) for r in rows(d, 'tx_height.csv')}
    names = {r['adr_index']: r['adr_hash'] for r in rows(d, 'adr_hash.csv')}

    def addr(ai):
        return names.get(ai, 'nonstandard' + ai)

    outs = {}       # tx -> [(global output number, address, value)]
    for r in rows(d, 'tx_output.csv'):
        outs.setdefault(int(r['tx_index']), []).append(
            (int(r['output_index']), addr(r['adr_index']), int(r['output_value']), r['adr_index'] in names))
    vout = {}       # global output number -> (tx, position)
    for t, lst in outs.items():
        lst.sort()
        for k, o in enumerate(lst):
            vout[o[0]] = (t, k)
    ins = {}        # tx -> [(global output spent, address, value)]
    for r in rows(d, 'tx_input.csv'):
        ins.setdefault(int(r['tx_index']), []).append(
            (int(r['output_index']), addr(r['adr_index']), int(r['input_value']), r['adr_index'] in names))
    for lst in ins.values():
        lst.sort()

    with open(out, 'w') as f:
        for t in sorted(tx_hash):
            h = height[t]
            ti = ins.get(t, [])
            to = outs.get(t, [])
            rec = {
                'hash': tx_hash[t], 'block_number': h,
                # 2009 block times are not in the tables: ten minutes a block from genesis.
                'block_timestamp': 1231006505 + 600 * h,
                'is_coinbase': not ti, 'input_count': len(ti), 'output_count': len(to),
                'inputs': [{'index': k, 'spent_transaction_hash': tx_hash[vout[o][0]],
                            'spent_output_index': vout[o][1], 'addresses': [a], 'value': v,
                            'type': 'pubkeyhash' if std else 'nonstandard'}
                           for k, (o, a, v, std) in enumerate(ti)],
                'outputs': [{'index': k, 'addresses': [a], 'value': v,
                             'type': 'pubkey' if std else 'nonstandard'}
                            for k, (_, a, v, std) in enumerate(to)],
            }
            f.write(json.dumps(rec, separators=(',', ':')) + '\n')

    if oracle:
        every = sorted({o[1] for lst in outs.values() for o in lst})
        ident = {a: i for i, a in enumerate(every)}
        parent = list(range(len(every)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x
        multi = 0
        for t, lst in ins.items():
            ids = sorted({ident[a] for _, a, _, _ in lst})
            if len(ids) < 2:
                continue
            multi += 1
            for i in ids[1:]:
                ra, rb = find(ids[0]), find(i)
                if ra != rb:
                    parent[rb] = ra
        size = {}
        for i in range(len(every)):
            r = find(i)
            size[r] = size.get(r, 0) + 1
        big = max(size, key=lambda r: (size[r], -r))
        print(json.dumps({'addresses': len(every), 'clusters': len(size),
                          'largest': size[big], 'multi_input_txs': multi,
                          'largest_members': sorted(every[i] for i in range(len(every)) if find(i) == big)}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
