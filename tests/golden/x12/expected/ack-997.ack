wharf: edi ack: nothing to acknowledge (a 997 or 999 is never acknowledged)
exit: 0
