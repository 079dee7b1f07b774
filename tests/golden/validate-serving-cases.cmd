validate --serving
