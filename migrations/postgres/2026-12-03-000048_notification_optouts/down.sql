DROP TABLE notification_optouts;
