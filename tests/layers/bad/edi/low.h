/* a header of edi/ */
