#!/bin/sh
# The "what next" block `make run` ends with: commands that work as printed,
# from the checkout, against the sample workspace it made.
# Usage: scripts/run-next.sh WHARF WORKSPACE
set -eu
w=$1 ws=$2
# the RP ship notice made today is ACME1-<today, UTC>-0001
sid="ACME1-$(date -u +%Y%m%d)-0001"
cat <<MSG

run: done. The gateway's workspace is $ws; its wharf.xml holds the two
sample Amazon partners. Try, in this order:

  $w orders show 4Z32PABC -w $ws
        the RP purchase order and its lines
  $w orders approve 4Z32PABC -w $ws
        accept it in full (the DF order was acknowledged on arrival)
  $w ack run -w $ws
        queue and send the 855 acknowledgments
  $w ship $ws/samples/pack-4Z32PABC.csv -w $ws
  $w ship $ws/samples/pack-TVd4wGZnR.csv -w $ws
        ship notices (856) from the sample packing lists
  $w labels $sid -w $ws
        the RP cartons' labels (\`$w shipments list -w $ws\` lists the ids)
  $w invoice run -w $ws
        the 810 invoices of what shipped
  $w status -w $ws
        where everything stands

What goes to Amazon is in $ws/partners/*/outbound, what goes to the ERP in
$ws/erp/out. \`$w serve -w $ws\` keeps the gateway running (Ctrl-C stops it);
\`$w help\` lists every command.
MSG
