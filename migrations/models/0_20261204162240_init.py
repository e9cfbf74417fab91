# ruff: noqa: E501
from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return r"""
        ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE TABLE IF NOT EXISTS `users` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `username` VARCHAR(30) NOT NULL,
    `username_key` VARCHAR(30) NOT NULL UNIQUE,
    `password_hash` VARCHAR(255) NOT NULL,
    `display_name` VARCHAR(60) NOT NULL,
    `bio` VARCHAR(300) NOT NULL,
    `created_at` DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS `sessions` (
    `id` VARCHAR(64) NOT NULL PRIMARY KEY,
    `csrf_token` VARCHAR(64) NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `expires_at` DATETIME(6) NOT NULL,
    `user_id` BIGINT NOT NULL,
    CONSTRAINT `fk_sessions_users_0c63f6d3` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
    KEY `idx_sessions_expires_6bcc94` (`expires_at`)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS `notifications` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `kind` VARCHAR(32) NOT NULL,
    `post_id` BIGINT,
    `text` VARCHAR(300) NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `read_at` DATETIME(6),
    `user_id` BIGINT NOT NULL,
    CONSTRAINT `fk_notifica_users_ca29871f` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS `outbox` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `topic` VARCHAR(100) NOT NULL,
    `key` VARCHAR(100) NOT NULL,
    `payload` JSON NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `sent_at` DATETIME(6),
    KEY `idx_outbox_sent_at_7dc9f3` (`sent_at`)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT='A bus message written in the same transaction as the change it announces.';
CREATE TABLE IF NOT EXISTS `posts` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `text` LONGTEXT NOT NULL,
    `status` VARCHAR(16) NOT NULL COMMENT 'PROCESSING: processing\nREADY: ready\nFAILED: failed',
    `failure_reason` VARCHAR(300) NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `updated_at` DATETIME(6) NOT NULL,
    `author_id` BIGINT NOT NULL,
    CONSTRAINT `fk_posts_users_63d1e9cc` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS `attachments` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `position` SMALLINT NOT NULL,
    `kind` VARCHAR(16) NOT NULL COMMENT 'IMAGE: image\nANIMATION: animation\nVIDEO: video',
    `container` VARCHAR(16) NOT NULL,
    `alt_text` VARCHAR(500) NOT NULL,
    `buffer_key` VARCHAR(200) NOT NULL,
    `source_width` INT,
    `source_height` INT,
    `media_key` VARCHAR(200) NOT NULL,
    `thumb_key` VARCHAR(200) NOT NULL,
    `mime_type` VARCHAR(50) NOT NULL,
    `width` INT,
    `height` INT,
    `duration_s` DOUBLE,
    `byte_size` BIGINT,
    `upload_size` BIGINT NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `owner_id` BIGINT NOT NULL,
    `post_id` BIGINT,
    CONSTRAINT `fk_attachme_users_9732ac6b` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
    CONSTRAINT `fk_attachme_posts_6afc2e82` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`) ON DELETE CASCADE
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT='One uploaded file: an upload until a post claims it, then that post\'s media.';
CREATE TABLE IF NOT EXISTS `aerich` (
    `id` INT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `version` VARCHAR(255) NOT NULL,
    `app` VARCHAR(100) NOT NULL,
    `content` JSON NOT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return r"""
        """


MODELS_STATE = (
    "eJztXO1T4jgY/1cy/XLujLejoOj5DRVd7hQcYff29rzphDZAxjZhm3SR2/N/vyRQ+t5tEV"
    "mo/eLIkzxJ+nvy8rwl3zWbmshi73uIMUyJdga+awTaSPwTLdoHGpxM/AJJ4HBgqbpsXkkR"
    "4YBxBxpc0IfQYkiQTMQMB0/4vAviWpYkUkNUxGTkk1yCv7pI53SE+Bg5ouDvfwQZExM9Ie"
    "b9nDzqQ4wsMzRabMq+FV3ns4miXYyhc6Vqyu4GukEt1yZ+7cmMjylZVhejkdQRIsiBHJmB"
    "D5DjW3yrR5qPVRC446LlIE2fYKIhdC0e+OCB7tM0Xe90+3qv1dd1rQBEhkBZwIsJZ+r7bf"
    "ikW4iM+Fj8bBw9z/vxcZjXkh1+at5ffGje7zWO3skOqZDRXHidRUlNFT2rJiCH80YU6j7M"
    "BnOGQj6PiBSBO8y1Htg9go+7P9t2FvgA0A6SYOiQx4G+FCUc2ygF7BBnBGxzwfre+2cXoR"
    "cfaHaJNVustQzo++3bVq/fvL2T3dmMfbUUfs1+S5bUFHUWoe41ImJaNgL+bPc/APkTfOl2"
    "WgpeyvjIUT369fpfNDkm6HKqEzrVoRnYFjyqh1pI6uhpgkVrK0g9zLkZqW9yo9sRIXsgZU"
    "rZZcjRkw6sczxqE54s4ABTRLoCol1cxSM5iF9/q9Xq9ZPaQb1xenx0cnJ8enAq6qoRx4tO"
    "MmbBefu63emHhSoJz89SZxg+Jh5nEtS4GK6og/CI/IFmShRtMW5IDJQA/UJH+rhoZsdE8O"
    "zNMY/qr2kHTpdKVnDqiW8XX4z4/MBv9i6aly1NITyAxuMUOqYeglqW0BqNUJZ140V2zY5S"
    "IIEjBY78CjnmIOoJGqsnjXR1VX7QlumqWUs/76pfyG57ldWNLfksFVYKX/1fQIEN8pRQfa"
    "0f5FBf6wep6qsseo4dcfJ//RHNVgHa4yudibZ+qCeQsSkVm+kYsnERrGOMJZzZtePjHHiL"
    "WqmAq7Iw4iZmEwvO9KK7SJRvc3hr2kbQbuSZ3I30yd2ITe4BpkUQXlQvHbD1g3zbRta+Ec"
    "O2cjGko18uF0PMAkpX2P3pEfTpRnTVBefVH/fIgnzhHU42jQLu4x2bA2nWUVjPmVgUmi/E"
    "qMk5NMY22kk7PhdMhHI8xIbC4YVgdQJNlRUuueRfCNOdaKJM8LymIyGw/hLcCeHVme5UgM"
    "t6+VwLWpcgMN8/kAmG2EJnAJIFBbiEYwtAIKcCMCyIbQYw3wd8jIj4A7kq+YUBG5kYvtci"
    "6K698crdsaPuDiFJ7G0VYRn0bGhZqVII8m3O4XzwurKo104aS/Tljyy8e7fNmxsPYB/QRz"
    "H+ZJukRVw75jEOgerxbrOlrbVvm9etM4BtsVs+kGZH/O63ux25gQiarPVAPrUvW90z8A2b"
    "iEb3njwGzWEjhz1zGFWTfXNGFkWsGUq46CzJn58RmA4ybbNQVrQb1w8ztLjO0VOCyZiOcp"
    "CndKb5cS7T/DjDND+Om+YDdzhETlHnaZirhNO5lgvrWgbWtTjWjLqOgfQpNnmC+zT1fIyy"
    "rXRGLtSRrUF7fkrWDo9Ojk7rjaPlUbmkZJ2X8aNygdEY4dE4Ycf4EbY+XwVuHFylmxfdIk"
    "JMpduLX2V/4GPXHhTFOcRU4ZwHZxvbaI5RkfkcZCodzsf5VIsMzSIKctFTrjreMnbgwuda"
    "daBlwWm6jrIu9QTX55VFYQqoYbYIsEPJt3vQZuB22f14ftMCd/eti3ZPmOXhAJMqlCRBwP"
    "MsrftW8yZqXsw40hn+N2GrzXLMhdhKNIM34qGLxoxWwD/CWBqv3Ibxr+Le6QIpV9w7KHU6"
    "JStkXQe5qrTrlZeclGVh7ANM1WGzpoR3NZ8T1Ksq4z2U8R5c9skp79HZvQZMc4bst2xa54"
    "U0sJq36RJBKJ0kIfofTTdJj//HclyqywVvL9qeHhxORn8XAsKr5qzW8qSs1tIzVmuxTPdK"
    "i/hJ+lvRiO/mo70bvMBRpWJXJulaTFL5ZSuIPMC2Bnlv2f62I+L1MKnueW/PgVXd8y7nPe"
    "+uywf06RYxBtVcitlo4Qr7WUYaVVVzWWdaEwxcmQKtmgVTB3OOCMAyQxoBJoYgQISEiTYE"
    "A4BM0Y0xJKI25gASQl0xnVg8OXttLT+QB9IEDrLgDEzcgYXZGDEwQcQUPQGHTpmobAIbOo"
    "+qERswRPg+YBTAZf8q4dugrmUCYcOCAXogXlsm2JMjNemUvAOYKW5ARddqRLJIEKWUxeAZ"
    "F+cSoEPRgOzcEptplTm+7XvmfoYty+kEG4W0fo+hhGr/YS61/zBD7T+Mq/0Fk4rKm9j5Ku"
    "hO4EzGS+MI/97rdlKcBT5LVLXGBgf/AbEr7qISlgGuBCOkUHuY7t02P0fhvrjpnkc1ZdnA"
    "eWXPVvasJrWDFUQeYNuIPVs9W5bfnC1wc/w1TQAVGkvQ/L2QWbrCv7xKW0Vj3qAGm+i27g"
    "vqG3BbZ209rc/97DN/ufPcdDvXXvWoIhC57MEhdxNSN/PdjPS5N5jFLY/imVYMf+3uvnvR"
    "6vXaneszMHGoIR+4IKMHct9qXv51BlSbD+Sq2b5pXcpesYXMqAcgl0689rt7ciyug3QxRJ"
    "Z0ITjd8ohzli7XvorrVHpwDk0pjx7sTswVpR7mrKS+LVJP0I9jj7aIsjEtHu8JsVURn3VF"
    "fOawVjGfH8V8QtOvaNQnAHf48ZvI9H+tt7C2M3a94ceLkIONsZb0cNG8ZD/z0SK/ztbYx2"
    "/FOH7hxbl0s/cbcrw39/Iq+AGWUhi/G3gFVi6qAggvqpcQ3VcJ3siXeRaHQN7gTYClCt4U"
    "DN78VD/v8//0pPXZ"
)
