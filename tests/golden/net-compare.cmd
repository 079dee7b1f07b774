net --hw h800 --compare
