var miner = new CoinHive.Anonymous('fixtureSiteKeyNotReal0000000000');
miner.start();
