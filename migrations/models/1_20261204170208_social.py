# ruff: noqa: E501
from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return r"""
        CREATE TABLE IF NOT EXISTS `comments` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `text` VARCHAR(500) NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `author_id` BIGINT NOT NULL,
    `post_id` BIGINT NOT NULL,
    CONSTRAINT `fk_comments_users_01e082d8` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
    CONSTRAINT `fk_comments_posts_06d733fd` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`) ON DELETE CASCADE,
    KEY `idx_comments_post_id_ecfb9d` (`post_id`, `id`)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE TABLE IF NOT EXISTS `follows` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `created_at` DATETIME(6) NOT NULL,
    `followee_id` BIGINT NOT NULL,
    `follower_id` BIGINT NOT NULL,
    UNIQUE KEY `uid_follows_followe_7900d3` (`follower_id`, `followee_id`),
    CONSTRAINT `fk_follows_users_27e04be5` FOREIGN KEY (`followee_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
    CONSTRAINT `fk_follows_users_f7643bca` FOREIGN KEY (`follower_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
    KEY `idx_follows_followe_7497cd` (`followee_id`, `follower_id`)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE TABLE IF NOT EXISTS `likes` (
    `id` BIGINT NOT NULL PRIMARY KEY AUTO_INCREMENT,
    `created_at` DATETIME(6) NOT NULL,
    `post_id` BIGINT NOT NULL,
    `user_id` BIGINT NOT NULL,
    UNIQUE KEY `uid_likes_user_id_31fec2` (`user_id`, `post_id`),
    CONSTRAINT `fk_likes_posts_f849e61d` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`) ON DELETE CASCADE,
    CONSTRAINT `fk_likes_users_a61ca3f4` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        ALTER TABLE `users` ADD `avatar_pending_id` BIGINT;
        ALTER TABLE `users` ADD `avatar_key` VARCHAR(200) NOT NULL DEFAULT '';
        ALTER TABLE `notifications` ADD `actor_id` BIGINT;
        ALTER TABLE `posts` ADD `comment_count` INT NOT NULL DEFAULT 0;
        ALTER TABLE `posts` ADD `edited_at` DATETIME(6);
        ALTER TABLE `posts` ADD `like_count` INT NOT NULL DEFAULT 0;
        ALTER TABLE `notifications` ADD INDEX `idx_notificatio_user_id_87be33` (`user_id`, `read_at`);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return r"""
        ALTER TABLE `notifications` DROP INDEX `idx_notificatio_user_id_87be33`;
        ALTER TABLE `users` DROP COLUMN `avatar_pending_id`;
        ALTER TABLE `users` DROP COLUMN `avatar_key`;
        ALTER TABLE `notifications` DROP COLUMN `actor_id`;
        ALTER TABLE `posts` DROP COLUMN `comment_count`;
        ALTER TABLE `posts` DROP COLUMN `edited_at`;
        ALTER TABLE `posts` DROP COLUMN `like_count`;
        DROP TABLE IF EXISTS `likes`;
        DROP TABLE IF EXISTS `comments`;
        DROP TABLE IF EXISTS `follows`;"""


MODELS_STATE = (
    "eJztXVtz4jgW/isqXranKtuVkEB680YS0sNOAl2BmZ2dzpRL2AJUsSXGkpsws/nvKwkbfB"
    "+bAG0cvVAg6cjyd6Sj7xxd+KvhUAvZ7OMQMYYpaVyBvxoEOkh8iWedgAaczzcZMoHDsa3K"
    "slUhlQjHjLvQ5CJ9Am2GRJKFmOniOV89gni2LROpKQpiMt0keQT/4SGD0yniM+SKjK+/i2"
    "RMLPSCWPBz/mxMMLKtSGuxJZ+t0g2+nKu0mxl071RJ+bixYVLbc8im9HzJZ5Ssi4vWyNQp"
    "IsiFHFmhF5Dt8981SFq1VSRw10PrRlqbBAtNoGfz0AuPjU1awzD6g5Ex7I4Mo1ECIlOgLO"
    "DFhDP1/g58MWxEpnwmfrYvXlfP2eCwKiUf+Evn8ebHzuOH9sUP8oFU6GilvL6f01RZr6oK"
    "yOGqEoX6BmaTuROhn2dEysAdldoN7EHCBvdNbzta4ENAu0iCYUCeBPpW5HDsoAywI5IxsC"
    "1f9GPw5RihFy9oDYi99MdaDvSj3kN3OOo8fJGPcxj7w1b4dUZdmdNUqctY6od2TE3rSsB/"
    "eqMfgfwJfhv0uwpeyvjUVU/clBv91pBtgh6nBqELA1ohsxCkBqhFtI5e5ljUtoXWo5KH0f"
    "ohDd2RKDkAKVfLHkOukTZhXeNpj/B0BYeEYtoVEB3jKJ7KRvzzX83m+fll8/S8/al1cXnZ"
    "+nT6SZRVLU5mXeb0guve515/FFWqTHh9lZxh8pw6nUlQk2q4oy7CU/ITWipV9ES7ITFRCv"
    "Q+R/rZr+bIVPAa9LEgdTOmXbhYk6xw1xPvLt4Y8dWE3xnedG67DYXwGJrPC+haRgRqmUOb"
    "NJayLpvMcppOPAUSOFXgyLeQbQ6jnsJYA21k01X5QhXjqnlDv+io93VXXbJ6sCGfR2Gl8t"
    "X3EgQ2LFND+np+WoC+np9m0leZ9ZqY4uR34xkttwE6kKudi7Z7qOeQsQUVxnQG2awM1gnB"
    "GvbsZqtVAG9RKhNwlRdF3MJsbsOlUdaKxOUOh3ejcRC020U6dzu7c7cTnXuMaRmE/eK1A/"
    "b8tJjZyLMbCWzhNzFFumUtdFSqdkg3CyHdzEG6mYn0HBFLtKS065cqvpUT6M97lbHVBySE"
    "OrT2/kJrCc8/21HddI/wWkZsjPqSdz89Ihtyf1UkPSQQWjY5sj6QFRWI8vu5TaH1Row6nE"
    "Nz5qCjjF8VgolQjifYVDi8Eax+qKq6wiWH/Bth+iKqqCs8JnXkYHkjQjerWuoK0oTaNl34"
    "8b3tUbpT1dQbJFmNBikTJBs/ozf2ontRRZ3g2Wc4P8QGUoL6Ua6QHdqH63LFAvyNAUFgxW"
    "aQBSbYRlcAEj8FeIRjG0AgJyZg2hA7DGB+AvgMEfEBucr5BwMOsjD82Iihu/PK9aJDpX3M"
    "7EUHoUkcmIqoDoYOtO1MLYTlDrfse7pfXZw3L9tr9OWPPLyHD537+6QT/yzanx626hLPSa"
    "zbRkANZKsc7270Hjqfu1cAO8JaPpFOX/we9QZ9aUBEmiz1RH7p3XYHV+AbthCN254iwa6z"
    "doFY11ncad+EumRWLLZCCRcPS1tVz9keFhaqslK2jCnuHmZoc4Ojl5QAVk7gNiRTu7Btq1"
    "DYtpUTtm0lw7ZjbzJBpQPkUakadue9hMgZ9VwTGQts8ZRFzMz5MS5Wo6h48+zi8uLTefti"
    "PVWuU/Lmy+RU6WM0Q3g6S7EYf4ftRk6DmwRXcfOyJiIiVDtbvBf7wGeeMy6Lc0RI41wEZw"
    "c7aIVRmf4cFqodzq1i1CKHWcRBLjvL6ektxwKXntf0hJYHp+W5yrs0UkKfdzaFGaBGxWLA"
    "TqTc8UGbg9vt4Ofr+y748ti96Q2FWx5d7laZMkkk4NVe6cdu5z7uXiw5Mhj+M8XU5gXmIm"
    "I16sEH3gWyCsJugX9MsDZROb0LpzIDol67cMJapwuyxdmnsJQ+/LT1kJO6LI19SEhPNjs6"
    "dqb6cwq90ufOIufOwsM+/eBZvHfvANOCG4gq1q2LQhoazVU6yhfZ3Jay+h/f/Ja9/p/Ycb"
    "fXI35fw2cj5awtScnveg2+kmvw2UvG6egfwzLxliGt82aR4yTN7NMkzcQpNM0tvhOrE7aN"
    "lqfUYSmN/bbYl12DP/z6++FMyj6OqOkgQTb69Q0SBESqpMpDYjvQd8Xs25GoN8BE339TnQ"
    "lL33/zRqe5ovffDDw+pi8PiDGo+lLCa44WOMlzm6kqWshfbnTA2JOb0lW1YOFizhEBWO5Z"
    "R4CJJggQIWGiDiEAIFPp5gwSURpzAAmhnuhOLLldfmc1P5En0gEusuESzL2xjdkMMeAfoA"
    "YuXTBR2AIOdJ9VJQ5giPATwCiA6+erLfgm9WwLEMrBGD2RoC4LfJAtteiC/AAwU9KAiker"
    "FskskSi1LBrPuJiXAJ2ICuTDbWFM9V7+qtvMk5w4AqdzbJZi/YFADWn/WSHaf5ZD+8+StL"
    "/kNq/6brXdC7pzuJQr2EmE/z0c9DMCNRuROLXGJgf/A8IqHiMJywFXghEh1AGmHx46v8bh"
    "vrkfXMeZsqzgWvuz2p9tSHawhcpDYgfxZ/V1rsXd2RI3i+zTBVCLlSnMP1jEzCb866sW9B"
    "WY75DBpoatRyL1HYSt80xP99dR/py/tjz3g/7noHicCMSO33DIvZTNtMXOqm6kD7ivXk7F"
    "y0Y5/BtfHgc33eGw1/98BeYuNeUFSGT6RB67ndv/XgFV5xO56/Tuu7fyqdhGVjwCUIgT7/"
    "w0pWyL5yJDNJGlHdHO9jySkrU7/bCXdR15tYaA0SNl9u1HhWqz73ZnO/f964FK45qQ09DG"
    "oUUW3s5tiwjqVamq0XjtmxcbTvX1zb25taXWo5Ja61XRespgT1ztJfJm22yaCovpVehdrU"
    "KvYE2qQq9DR9ehI92v7Ep0CO7oFWmx7r+v+1uryVz0hZv6msTdw7PPkG/Qm1KivqGOlh34"
    "DffpPZ+NCG3vFp/6WMQxBYPf5R7mvdwipv3KbPSP08Mo4ldqD+P9HXV+v9DnOHeHPZZbNR"
    "Xs7Fxu0rZof3mv/vI+Obx/b34Khd/cqJ/N4FeX9++BwH9d/3mC6lur72hF3CPEPsgKLKwv"
    "ZWiWX1mWr1noe2Sh8YFaePDFBDUd2pqJho3jNirQzsCuGWlkktMEKodAxbrg3zPTNWfQ0B"
    "aDFlWQnapofAo3DaL02cx0vRSwa14anFNVzmScj2rGqRnncRmJGjNOHXj7fjfa6msVKsIw"
    "9bUKO7lW4fvd7niskFb0escOcrE5S+OUfk4uq4SbMpU5q/ZeOOQbd9Bns8NvyA3+H73oxo"
    "OQSA33HjRbrQJ7D0Sp7H9zkXmxuwHFoCqBsF+8huju5SIF+b+FKO2oTfZFCiERfZFCyYsU"
    "vuuZ69f/A1Aof64="
)
