"""Who a reader is: a site's single sign-on, emailed sign-in links, reserved names."""
