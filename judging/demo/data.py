"""Content of the demo competition (KOINYANLIK 2026, Kota Palembang).

This module holds only data: the round, its categories and weighted criteria, the
participating organisations (OPD, kecamatan/kelurahan, puskesmas, RSUD and BUMD) with one
innovation entry each, the judging panel with the parameters that drive simulated scoring on
a 1-10 scale, and a pool of short judge comments. All user-facing text is in Bahasa Indonesia.
"""

from __future__ import annotations

ROUND = {
    "name": "KOINYANLIK 2026",
    "slug": "koinyanlik-2026",
    "description": (
        "Kompetisi Inovasi Pelayanan Publik (KOINYANLIK) Kota Palembang Tahun 2026 "
        "diselenggarakan oleh Bagian Organisasi Sekretariat Daerah Kota Palembang untuk "
        "menjaring inovasi terbaik dari perangkat daerah, kecamatan, kelurahan, puskesmas, "
        "RSUD dan BUMD. Inovasi yang dinilai telah diterapkan minimal satu tahun dan terbukti "
        "memberi manfaat nyata bagi masyarakat. Peraih nilai tertinggi akan didampingi untuk "
        "diusulkan ke Kompetisi Inovasi Pelayanan Publik (KIPP) Kementerian PANRB."
    ),
}


CATEGORIES = [
    {
        "key": "dinas",
        "name": "Dinas/Badan",
        "description": (
            "Inovasi dari dinas dan badan di lingkungan Pemerintah Kota Palembang yang "
            "menyelenggarakan pelayanan publik lintas wilayah."
        ),
    },
    {
        "key": "wilayah",
        "name": "Kecamatan/Kelurahan",
        "description": (
            "Inovasi dari kantor kecamatan dan kelurahan yang melayani warga secara langsung "
            "di tingkat wilayah."
        ),
    },
    {
        "key": "layanan",
        "name": "Puskesmas, RSUD dan BUMD",
        "description": (
            "Inovasi dari unit pelayanan kesehatan, rumah sakit daerah, serta badan usaha "
            "milik daerah Kota Palembang."
        ),
    },
]


CRITERIA = [
    {
        "name": "Kebaruan",
        "description": (
            "Nilailah sejauh mana inovasi ini merupakan gagasan baru atau modifikasi yang "
            "berbeda nyata dari cara kerja sebelumnya maupun dari inovasi serupa di daerah lain."
        ),
        "weight": 25,
    },
    {
        "name": "Efektivitas",
        "description": (
            "Nilailah apakah inovasi benar-benar menyelesaikan masalah yang diangkat, dibuktikan "
            "dengan data capaian sebelum dan sesudah penerapan."
        ),
        "weight": 25,
    },
    {
        "name": "Kemanfaatan",
        "description": (
            "Nilailah seberapa luas dan seberapa besar manfaat yang dirasakan langsung oleh "
            "masyarakat, terutama kelompok rentan."
        ),
        "weight": 20,
    },
    {
        "name": "Dapat Direplikasi",
        "description": (
            "Nilailah kemudahan inovasi ini untuk ditiru oleh unit atau daerah lain dengan "
            "biaya, sumber daya, dan regulasi yang wajar."
        ),
        "weight": 15,
    },
    {
        "name": "Keberlanjutan",
        "description": (
            "Nilailah adanya dasar hukum, dukungan anggaran, SDM, dan kelembagaan yang "
            "menjamin inovasi tetap berjalan setelah kompetisi selesai."
        ),
        "weight": 15,
    },
]


ORGANISATIONS = [
    # --- Dinas/Badan -----------------------------------------------------------------------
    {
        "key": "dinkes",
        "name": "Dinas Kesehatan Kota Palembang",
        "category": "dinas",
        "contact": "dr. Rini Anggraini, M.Kes.",
    },
    {
        "key": "disdukcapil",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Palembang",
        "category": "dinas",
        "contact": "Muhammad Rizal Effendi",
    },
    {
        "key": "dlh",
        "name": "Dinas Lingkungan Hidup Kota Palembang",
        "category": "dinas",
        "contact": "Yuliana Sari",
    },
    {
        "key": "disdik",
        "name": "Dinas Pendidikan Kota Palembang",
        "category": "dinas",
        "contact": "Ahmad Fauzi",
    },
    {
        "key": "dinsos",
        "name": "Dinas Sosial Kota Palembang",
        "category": "dinas",
        "contact": "Sri Wahyuni",
    },
    {
        "key": "dishub",
        "name": "Dinas Perhubungan Kota Palembang",
        "category": "dinas",
        "contact": "Heri Kurniawan",
    },
    {
        "key": "dpmptsp",
        "name": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Palembang",
        "category": "dinas",
        "contact": "Dewi Kartika Sari",
    },
    {
        "key": "bppd",
        "name": "Badan Pengelola Pajak Daerah Kota Palembang",
        "category": "dinas",
        "contact": "Andi Firmansyah",
    },
    {
        "key": "diskominfo",
        "name": "Dinas Komunikasi dan Informatika Kota Palembang",
        "category": "dinas",
        "contact": "Rahmat Hidayat",
    },
    {
        "key": "dinkop",
        "name": "Dinas Koperasi dan Usaha Kecil Menengah Kota Palembang",
        "category": "dinas",
        "contact": "Nurul Fadhilah",
    },
    {
        "key": "dp3a",
        "name": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kota Palembang",
        "category": "dinas",
        "contact": "Lestari Handayani",
    },
    {
        "key": "bpbd",
        "name": "Badan Penanggulangan Bencana Daerah Kota Palembang",
        "category": "dinas",
        "contact": "Agus Setiawan",
    },
    {
        "key": "damkar",
        "name": "Dinas Pemadam Kebakaran dan Penyelamatan Kota Palembang",
        "category": "dinas",
        "contact": "Joni Saputra",
    },
    {
        "key": "disnaker",
        "name": "Dinas Tenaga Kerja Kota Palembang",
        "category": "dinas",
        "contact": "Fitriani Rahmawati",
    },
    {
        "key": "dispusip",
        "name": "Dinas Perpustakaan dan Kearsipan Kota Palembang",
        "category": "dinas",
        "contact": "Wulan Purnamasari",
    },
    # --- Kecamatan/Kelurahan -----------------------------------------------------------------
    {
        "key": "kec-it1",
        "name": "Kecamatan Ilir Timur I",
        "category": "wilayah",
        "contact": "Kgs. M. Amin",
    },
    {
        "key": "kec-sako",
        "name": "Kecamatan Sako",
        "category": "wilayah",
        "contact": "Deddy Syaputra",
    },
    {
        "key": "kec-kertapati",
        "name": "Kecamatan Kertapati",
        "category": "wilayah",
        "contact": "Siti Marlina",
    },
    {
        "key": "kec-jakabaring",
        "name": "Kecamatan Jakabaring",
        "category": "wilayah",
        "contact": "Rudi Hartono",
    },
    {
        "key": "kec-gandus",
        "name": "Kecamatan Gandus",
        "category": "wilayah",
        "contact": "Yusuf Arifin",
    },
    {
        "key": "kec-aal",
        "name": "Kecamatan Alang-Alang Lebar",
        "category": "wilayah",
        "contact": "Ratih Permatasari",
    },
    {
        "key": "kec-su1",
        "name": "Kecamatan Seberang Ulu I",
        "category": "wilayah",
        "contact": "R.A. Zuraida",
    },
    {
        "key": "kec-kalidoni",
        "name": "Kecamatan Kalidoni",
        "category": "wilayah",
        "contact": "Hendri Gunawan",
    },
    {
        "key": "kel-20ilird4",
        "name": "Kelurahan 20 Ilir D IV",
        "category": "wilayah",
        "contact": "Mgs. Faisal Akbar",
    },
    {
        "key": "kel-sialang",
        "name": "Kelurahan Sialang",
        "category": "wilayah",
        "contact": "Eka Novitasari",
    },
    {
        "key": "kel-talangkelapa",
        "name": "Kelurahan Talang Kelapa",
        "category": "wilayah",
        "contact": "Bayu Prasetyo",
    },
    {
        "key": "kel-baguskuning",
        "name": "Kelurahan Bagus Kuning",
        "category": "wilayah",
        "contact": "Nyimas Rohana",
    },
    {
        "key": "kel-34ulu",
        "name": "Kelurahan 3-4 Ulu",
        "category": "wilayah",
        "contact": "Syarifah Nurlaila",
    },
    {
        "key": "kel-pulokerto",
        "name": "Kelurahan Pulokerto",
        "category": "wilayah",
        "contact": "Suparman",
    },
    {
        "key": "kel-kebunbunga",
        "name": "Kelurahan Kebun Bunga",
        "category": "wilayah",
        "contact": "Dian Puspitasari",
    },
    # --- Puskesmas, RSUD dan BUMD ------------------------------------------------------------
    {
        "key": "pkm-dempo",
        "name": "Puskesmas Dempo",
        "category": "layanan",
        "contact": "dr. Meiliana Tan",
    },
    {
        "key": "pkm-sako",
        "name": "Puskesmas Sako",
        "category": "layanan",
        "contact": "Yenny Marlina",
    },
    {
        "key": "pkm-merdeka",
        "name": "Puskesmas Merdeka",
        "category": "layanan",
        "contact": "dr. Arief Budiman",
    },
    {
        "key": "pkm-kenten",
        "name": "Puskesmas Kenten",
        "category": "layanan",
        "contact": "Rosmawati",
    },
    {
        "key": "pkm-plaju",
        "name": "Puskesmas Plaju",
        "category": "layanan",
        "contact": "dr. Taufik Hidayatullah",
    },
    {
        "key": "pkm-kertapati",
        "name": "Puskesmas Kertapati",
        "category": "layanan",
        "contact": "Novi Andriani",
    },
    {
        "key": "pkm-sabokingking",
        "name": "Puskesmas Sabokingking",
        "category": "layanan",
        "contact": "Erlina Susanti",
    },
    {
        "key": "pkm-4ulu",
        "name": "Puskesmas 4 Ulu",
        "category": "layanan",
        "contact": "Fajar Ramadhan",
    },
    {
        "key": "pkm-talangratu",
        "name": "Puskesmas Talang Ratu",
        "category": "layanan",
        "contact": "apt. Melati Kusuma",
    },
    {
        "key": "pkm-sukarami",
        "name": "Puskesmas Sukarami",
        "category": "layanan",
        "contact": "dr. Indah Permata",
    },
    {
        "key": "pkm-basukirahmat",
        "name": "Puskesmas Basuki Rahmat",
        "category": "layanan",
        "contact": "Wahyu Nugroho",
    },
    {
        "key": "rsud-bari",
        "name": "RSUD Palembang BARI",
        "category": "layanan",
        "contact": "dr. Sylvia Oktaviani, Sp.OG",
    },
    {
        "key": "pdam",
        "name": "PDAM Tirta Musi Palembang",
        "category": "layanan",
        "contact": "Irwan Syahputra",
    },
    {
        "key": "pasar",
        "name": "Perumda Pasar Palembang Jaya",
        "category": "layanan",
        "contact": "Darmawan Susilo",
    },
    {
        "key": "sp2j",
        "name": "PT Sarana Pembangunan Palembang Jaya (SP2J)",
        "category": "layanan",
        "contact": "Reza Pahlevi",
    },
]


ENTRIES = [
    # --- Dinas/Badan -----------------------------------------------------------------------
    {
        "org": "dinkes",
        "title": "SI-GESIT: Sistem Informasi Gerakan Siaga Stunting Terpadu",
        "summary": (
            "Dasbor stunting yang menyatukan data penimbangan dari seluruh posyandu sehingga "
            "balita berisiko terpantau dalam hitungan hari, bukan bulan."
        ),
        "problem": (
            "Data penimbangan balita dari 42 puskesmas direkap manual dalam lembar Excel "
            "yang berbeda format. Rekapitulasi bulanan baru selesai tiga sampai empat minggu "
            "kemudian, sehingga balita yang berat badannya tidak naik sering terlambat "
            "ditangani."
        ),
        "novelty": (
            "Kader posyandu menginput hasil penimbangan langsung lewat aplikasi ponsel yang "
            "tetap bisa dipakai tanpa sinyal dan tersinkron otomatis saat terhubung. Sistem "
            "memberi tanda merah pada balita yang dua bulan berturut-turut tidak naik berat "
            "badannya dan mengirim notifikasi ke bidan kelurahan."
        ),
        "implementation": (
            "Diterapkan sejak Maret 2024 berdasarkan Keputusan Kepala Dinas Kesehatan, dengan "
            "pelatihan bagi 1.260 kader di 1.047 posyandu. Pengembangan aplikasi dikerjakan "
            "tim internal bersama Diskominfo tanpa biaya lisensi."
        ),
        "impact": (
            "Waktu rekap turun dari rata-rata 24 hari menjadi 2 hari. Prevalensi stunting "
            "hasil penimbangan serentak turun dari 14,8% pada 2023 menjadi 11,3% pada 2025, "
            "dan 2.114 balita berisiko mendapat intervensi gizi dalam waktu kurang dari "
            "dua minggu."
        ),
    },
    {
        "org": "disdukcapil",
        "title": "SI-PANDAI: Sistem Pelayanan Administrasi Kependudukan Terintegrasi",
        "summary": (
            "Satu permohonan daring untuk KK, KTP-el, KIA dan akta, dengan dokumen terbit "
            "dalam bentuk digital yang dapat dicetak sendiri di rumah."
        ),
        "problem": (
            "Warga yang pindah datang atau menikah harus mengurus KK, KTP-el dan KIA secara "
            "terpisah dan datang ke kantor dinas hingga tiga kali. Antrean di kantor "
            "Disdukcapil mencapai 400 orang per hari dan penyelesaian dokumen rata-rata "
            "memakan waktu tujuh hari kerja."
        ),
        "novelty": (
            "Permohonan beberapa dokumen dibundel dalam satu formulir daring, diverifikasi "
            "sekali oleh petugas, lalu diterbitkan sebagai dokumen bertanda tangan elektronik "
            "yang dapat dicetak di kertas HVS biasa. Status permohonan dikirim ke WhatsApp "
            "pemohon di setiap tahap."
        ),
        "implementation": (
            "Layanan dibuka sejak Januari 2024 dan dapat diakses melalui laman dinas maupun "
            "operator di 107 kantor kelurahan. Dinas menempatkan 12 petugas verifikator khusus "
            "dengan target penyelesaian satu hari kerja."
        ),
        "impact": (
            "Rata-rata penyelesaian dokumen turun dari 7 hari kerja menjadi 1 hari kerja, dan "
            "antrean tatap muka berkurang 62%. Sepanjang 2025 tercatat 186.400 dokumen "
            "diterbitkan melalui SI-PANDAI dengan indeks kepuasan masyarakat 91,2."
        ),
    },
    {
        "org": "dlh",
        "title": "BASADIG: Bank Sampah Digital Palembang Bersih",
        "summary": (
            "Aplikasi bank sampah yang mencatat setoran warga secara digital dan mengubah "
            "saldonya menjadi pembayaran PBB, token listrik atau tabungan emas."
        ),
        "problem": (
            "Dari sekitar 1.200 ton sampah per hari, baru sebagian kecil yang dipilah di "
            "sumber. Pencatatan di 214 bank sampah unit masih memakai buku tabungan kertas, "
            "sehingga saldo nasabah sering tidak jelas dan minat warga menurun."
        ),
        "novelty": (
            "Setiap setoran ditimbang dan dicatat lewat aplikasi dengan harga per jenis sampah "
            "yang diperbarui mingguan. Saldo dapat langsung dipakai membayar PBB melalui kerja "
            "sama dengan Badan Pengelola Pajak Daerah, suatu hal yang belum ada di bank sampah "
            "konvensional."
        ),
        "implementation": (
            "Uji coba di 30 bank sampah pada 2024, kemudian diperluas ke 158 unit pada 2025. "
            "Pengurus bank sampah mendapat timbangan digital dan pelatihan; biaya server "
            "dianggarkan dalam DPA dinas sebesar Rp 85 juta per tahun."
        ),
        "impact": (
            "Jumlah nasabah aktif naik dari 9.800 menjadi 27.500 orang, dan sampah anorganik "
            "yang terpilah mencapai 38 ton per bulan. Sebanyak 1.930 warga melunasi PBB "
            "sebagian atau seluruhnya dari saldo bank sampah."
        ),
    },
    {
        "org": "disdik",
        "title": "SIAP SEKOLAH: Sistem Identifikasi Anak Putus Sekolah Berbasis Data Kelurahan",
        "summary": (
            "Pencocokan data kependudukan dengan Dapodik untuk menemukan anak usia sekolah "
            "yang tidak bersekolah dan mengembalikannya ke jalur pendidikan."
        ),
        "problem": (
            "Angka anak tidak sekolah di Palembang hanya diketahui dari survei tahunan tanpa "
            "nama dan alamat. Sekolah dan kelurahan tidak tahu siapa anak yang berhenti "
            "sekolah, sehingga tidak ada tindak lanjut."
        ),
        "novelty": (
            "Data NIK anak usia 7-18 tahun dari Disdukcapil dicocokkan dengan Dapodik setiap "
            "semester untuk menghasilkan daftar nama per RT. Daftar itu diverifikasi kader "
            "kelurahan melalui kunjungan rumah dan langsung dirujuk ke sekolah terdekat atau "
            "PKBM."
        ),
        "implementation": (
            "Berjalan sejak tahun ajaran 2024/2025 dengan perjanjian kerja sama antara Dinas "
            "Pendidikan dan Disdukcapil. Sebanyak 214 pendamping dari guru dan kader PKK "
            "melakukan verifikasi di 18 kecamatan."
        ),
        "impact": (
            "Dari 6.412 anak yang teridentifikasi, 3.870 telah kembali bersekolah atau "
            "mengikuti Paket A, B dan C. Waktu dari identifikasi hingga anak terdaftar kembali "
            "rata-rata 23 hari."
        ),
    },
    {
        "org": "dinsos",
        "title": "PENA EMAS: Pemutakhiran Data Kesejahteraan Sosial Mandiri",
        "summary": (
            "Warga dapat mengusulkan, memperbarui atau menyanggah data kesejahteraan sosialnya "
            "sendiri melalui kelurahan tanpa menunggu musyawarah tahunan."
        ),
        "problem": (
            "Banyak keluarga miskin baru tidak tercatat dalam data sosial ekonomi, sementara "
            "keluarga yang sudah mampu masih menerima bantuan. Pemutakhiran hanya dilakukan "
            "melalui musyawarah kelurahan setahun sekali dan prosesnya bisa memakan waktu "
            "tiga bulan."
        ),
        "novelty": (
            "Warga mengisi usulan melalui formulir daring atau operator kelurahan, lengkap "
            "dengan foto rumah dan geotag. Pendamping sosial memverifikasi lapangan dalam "
            "sepuluh hari dan hasilnya dapat dilihat terbuka oleh warga yang bersangkutan."
        ),
        "implementation": (
            "Diterapkan di seluruh 107 kelurahan sejak Juni 2024, melibatkan 96 pendamping "
            "sosial dan operator kelurahan. Sanggahan warga terhadap penerima bantuan juga "
            "ditampung dalam kanal yang sama."
        ),
        "impact": (
            "Waktu pemutakhiran turun dari sekitar 90 hari menjadi 14 hari. Sebanyak 4.356 "
            "keluarga baru masuk data penerima dan 2.981 keluarga yang dinilai sudah mampu "
            "dikeluarkan, sehingga bantuan lebih tepat sasaran."
        ),
    },
    {
        "org": "dishub",
        "title": "SIPADU: Sistem Parkir Digital Terpadu Berbasis QRIS",
        "summary": (
            "Pembayaran parkir tepi jalan umum secara nontunai dengan QRIS di setiap juru "
            "parkir resmi, lengkap dengan struk digital."
        ),
        "problem": (
            "Retribusi parkir tepi jalan umum rawan bocor karena seluruh transaksi tunai dan "
            "karcis sering tidak diberikan. Realisasi retribusi parkir pada 2023 hanya 41% "
            "dari potensi yang dihitung dinas."
        ),
        "novelty": (
            "Setiap juru parkir resmi memakai rompi bernomor dengan kode QRIS yang terhubung "
            "langsung ke rekening kas daerah. Pengguna menerima bukti bayar digital dan dapat "
            "melaporkan juru parkir liar dengan memindai kode di papan titik parkir."
        ),
        "implementation": (
            "Dimulai di koridor Jalan Jenderal Sudirman dan Kambang Iwak pada 2024, lalu "
            "diperluas ke 312 titik parkir pada 2025. Sebanyak 540 juru parkir dilatih dan "
            "memperoleh bagi hasil yang dihitung otomatis dari transaksi."
        ),
        "impact": (
            "Pendapatan retribusi parkir di titik percontohan naik 67% dibanding tahun "
            "sebelumnya. Porsi transaksi nontunai mencapai 58%, dan keluhan pungutan di atas "
            "tarif turun dari 120 menjadi 19 laporan per tahun."
        ),
    },
    {
        "org": "dpmptsp",
        "title": "MPP KELILING: Mal Pelayanan Publik Menyapa Warga",
        "summary": (
            "Mobil layanan yang membawa loket perizinan, kependudukan, pajak dan BPJS ke "
            "kecamatan pinggiran secara terjadwal setiap pekan."
        ),
        "problem": (
            "Mal Pelayanan Publik berada di pusat kota, sedangkan warga di Gandus, Sematang "
            "Borang dan Kertapati harus menempuh 15-25 km. Biaya transportasi dan hilangnya "
            "hari kerja membuat pelaku usaha mikro enggan mengurus izin."
        ),
        "novelty": (
            "Satu mobil menampung lima loket dari instansi berbeda dengan jaringan internet "
            "satelit, sehingga warga dapat menyelesaikan beberapa urusan sekaligus di halaman "
            "kantor kelurahan. Jadwal kunjungan diumumkan melalui grup WhatsApp RT."
        ),
        "implementation": (
            "Beroperasi sejak Agustus 2024 dengan dua unit kendaraan dan jadwal tiga hari per "
            "pekan. Mitra layanan meliputi Disdukcapil, BPPD, BPJS Kesehatan, Samsat dan "
            "Kantor Urusan Agama."
        ),
        "impact": (
            "Sepanjang 2025 layanan menjangkau 96 kelurahan dengan 14.780 transaksi. Sebanyak "
            "3.120 NIB usaha mikro terbit di lokasi, dan warga menghemat rata-rata Rp 60.000 "
            "biaya transportasi per urusan."
        ),
    },
    {
        "org": "bppd",
        "title": "PBB ANTAR RUMAH: SPPT Digital via WhatsApp dan Pembayaran QRIS",
        "summary": (
            "SPPT PBB dikirim langsung ke WhatsApp wajib pajak dan dapat dibayar seketika "
            "melalui QRIS, tanpa menunggu lembar kertas dari RT."
        ),
        "problem": (
            "Lembar SPPT PBB dibagikan berjenjang melalui kelurahan dan RT, sehingga banyak "
            "yang baru sampai menjelang jatuh tempo atau tidak sampai sama sekali. Biaya cetak "
            "dan distribusi mencapai Rp 1,4 miliar per tahun."
        ),
        "novelty": (
            "Nomor WhatsApp wajib pajak dipadankan dengan NOP melalui kampanye pendaftaran di "
            "kelurahan, lalu SPPT elektronik dikirim lengkap dengan kode QRIS khusus. "
            "Pengingat otomatis dikirim 30 dan 7 hari sebelum jatuh tempo."
        ),
        "implementation": (
            "Diterapkan untuk SPPT tahun 2025 dengan 214.000 NOP yang sudah terdaftar. "
            "Layanan ditetapkan melalui Peraturan Wali Kota tentang SPPT elektronik."
        ),
        "impact": (
            "Realisasi PBB-P2 naik dari 68% menjadi 79% dari ketetapan, dan biaya cetak serta "
            "distribusi turun Rp 860 juta. Sebanyak 61% pembayaran kini dilakukan sebelum "
            "bulan jatuh tempo."
        ),
    },
    {
        "org": "diskominfo",
        "title": "LAPOR WONG KITO: Kanal Pengaduan Terpadu Satu Nomor",
        "summary": (
            "Satu nomor WhatsApp untuk semua pengaduan warga yang diteruskan otomatis ke OPD "
            "terkait dan terhubung dengan SP4N-LAPOR!."
        ),
        "problem": (
            "Pengaduan warga tersebar di akun media sosial, kotak saran dan nomor telepon "
            "masing-masing OPD tanpa pencatatan bersama. Rata-rata tindak lanjut pengaduan "
            "mencapai sembilan hari dan banyak laporan tidak pernah dijawab."
        ),
        "novelty": (
            "Pesan yang masuk dikategorikan dengan bantuan kata kunci lalu didisposisikan ke "
            "admin OPD dengan tenggat berwarna. Pelapor menerima nomor tiket dan dapat menilai "
            "penyelesaian, dan nilai itu menjadi bagian dari penilaian kinerja OPD."
        ),
        "implementation": (
            "Diluncurkan Februari 2024 dan melibatkan 64 admin dari seluruh perangkat daerah. "
            "Data pengaduan disinkronkan harian ke SP4N-LAPOR! agar tidak terjadi pencatatan "
            "ganda."
        ),
        "impact": (
            "Sebanyak 21.350 pengaduan ditangani pada 2025, dengan rata-rata waktu tanggapan "
            "turun dari 9 hari menjadi 2 hari. Persentase pengaduan yang dinyatakan selesai "
            "naik dari 54% menjadi 88%."
        ),
    },
    {
        "org": "dinkop",
        "title": "SIGAP PEMPEK: Sertifikasi, Izin, dan Go-Digital untuk Pelaku Usaha Pempek",
        "summary": (
            "Pendampingan satu paket bagi pembuat pempek rumahan untuk memperoleh NIB, "
            "PIRT, sertifikat halal dan akses pasar daring."
        ),
        "problem": (
            "Ribuan pelaku usaha pempek rumahan belum memiliki legalitas sehingga sulit masuk "
            "ke toko oleh-oleh, ritel modern, dan layanan pengiriman antarkota. Pengurusan izin "
            "dianggap rumit karena melibatkan tiga instansi berbeda."
        ),
        "novelty": (
            "Dinas membentuk klinik keliling yang menggabungkan pendamping proses produk halal, "
            "petugas PIRT dari Dinas Kesehatan dan fasilitator OSS dalam satu kunjungan. Pelaku "
            "usaha juga dibantu memotret produk dan membuka toko di lokapasar."
        ),
        "implementation": (
            "Berjalan sejak 2024 di sentra pempek 26 Ilir, Sekip dan Plaju, bekerja sama "
            "dengan Kementerian Agama dan dua perguruan tinggi. Biaya sertifikasi halal "
            "memanfaatkan program sertifikasi halal gratis (SEHATI)."
        ),
        "impact": (
            "Sebanyak 1.146 pelaku usaha memperoleh NIB, 702 memperoleh PIRT dan 588 "
            "bersertifikat halal. Survei pada 300 peserta menunjukkan omzet rata-rata naik "
            "34% dalam enam bulan."
        ),
    },
    {
        "org": "dp3a",
        "title": "SAPA KITO: Satuan Tugas Perlindungan Perempuan dan Anak di Kelurahan",
        "summary": (
            "Satgas berbasis kelurahan dan layanan pengaduan 24 jam yang menjamin korban "
            "kekerasan dijangkau petugas dalam waktu kurang dari sehari."
        ),
        "problem": (
            "Korban kekerasan dalam rumah tangga dan kekerasan seksual sering tidak melapor "
            "karena tidak tahu ke mana harus pergi. Laporan yang masuk ke UPTD PPA rata-rata "
            "baru dijangkau setelah empat hari."
        ),
        "novelty": (
            "Setiap kelurahan memiliki tiga relawan terlatih yang dapat menerima laporan secara "
            "langsung dan meneruskannya ke UPTD PPA melalui aplikasi. Korban langsung "
            "mendapatkan pendamping, konselor dan, bila perlu, rumah aman dalam satu alur."
        ),
        "implementation": (
            "Dibentuk melalui Keputusan Wali Kota pada 2024 dengan 321 relawan di 107 "
            "kelurahan. Pelatihan melibatkan Polrestabes Palembang, psikolog dan LBH."
        ),
        "impact": (
            "Rata-rata waktu penjangkauan korban turun dari 4 hari menjadi 18 jam. Jumlah "
            "kasus yang dilaporkan naik 46%, yang dinilai sebagai tanda meningkatnya "
            "keberanian korban melapor, dan 94% korban mendapat pendampingan hingga tuntas."
        ),
    },
    {
        "org": "bpbd",
        "title": "SI-PETA AIR: Sistem Peringatan Dini Genangan Berbasis Sensor Muka Air",
        "summary": (
            "Sensor muka air di anak-anak Sungai Musi yang mengirim peringatan otomatis ke "
            "ketua RT sebelum banjir genangan datang."
        ),
        "problem": (
            "Hujan lebat yang bertepatan dengan pasang Sungai Musi kerap menyebabkan genangan "
            "di kawasan Sekanak, Bendung dan Lambidaro. Warga biasanya baru tahu saat air "
            "sudah masuk rumah, sehingga kerugian barang elektronik dan kendaraan tinggi."
        ),
        "novelty": (
            "Dua puluh sensor ultrasonik bertenaga surya dipasang di titik kritis dan "
            "dipadukan dengan data pasang surut. Bila ambang siaga terlampaui, pesan suara "
            "dan teks berbahasa Palembang dikirim otomatis ke grup WhatsApp 240 RT terdampak."
        ),
        "implementation": (
            "Dipasang bertahap sejak akhir 2023 dengan biaya Rp 310 juta dari APBD dan dana "
            "CSR. Pemeliharaan dilakukan tim TRC BPBD dan mahasiswa teknik elektro "
            "Universitas Sriwijaya."
        ),
        "impact": (
            "Warga menerima peringatan rata-rata 45 menit sebelum genangan mencapai "
            "permukiman. Survei pada 600 rumah tangga menunjukkan kerugian akibat genangan "
            "turun sekitar 40% pada musim hujan 2024/2025."
        ),
    },
    {
        "org": "damkar",
        "title": "RAKIT API: Relawan Kebakaran Kampung dan Pompa Portabel untuk Lorong Sempit",
        "summary": (
            "Relawan warga yang dilatih dan dibekali pompa portabel untuk memadamkan api awal "
            "di permukiman padat yang tidak dapat dimasuki mobil pemadam."
        ),
        "problem": (
            "Banyak permukiman rumah panggung kayu di tepian Musi hanya dapat dijangkau "
            "melalui lorong selebar satu meter. Mobil pemadam rata-rata tiba 17 menit setelah "
            "laporan, sementara api di rumah kayu dapat merambat ke belasan rumah dalam waktu "
            "itu."
        ),
        "novelty": (
            "Setiap kampung rawan mendapat pompa apung portabel yang menyedot air langsung dari "
            "sungai dan selang sepanjang 100 meter. Relawan terhubung dengan pos pemadam "
            "terdekat melalui radio dan grup darurat."
        ),
        "implementation": (
            "Sejak 2024 dibentuk 48 regu RAKIT API beranggotakan 384 warga di 11 kecamatan. "
            "Latihan gabungan dilakukan setiap tiga bulan dan pompa dirawat bergiliran oleh "
            "pos pemadam wilayah."
        ),
        "impact": (
            "Pada 2025 relawan menangani 37 kejadian api awal sebelum mobil pemadam tiba. "
            "Rata-rata jumlah rumah terbakar per kejadian di kampung binaan turun dari 6,2 "
            "menjadi 1,4 rumah."
        ),
    },
    {
        "org": "disnaker",
        "title": "SIKERJA: Kartu Pencari Kerja Digital dan Pencocokan Lowongan Otomatis",
        "summary": (
            "Kartu AK/I terbit daring dalam hitungan menit dan pencari kerja langsung "
            "mendapat rekomendasi lowongan yang sesuai keterampilannya."
        ),
        "problem": (
            "Pencari kerja harus datang ke kantor dinas untuk membuat kartu kuning dan antre "
            "sejak subuh, terutama pada musim penerimaan. Lowongan dari perusahaan hanya "
            "ditempel di papan pengumuman sehingga jarang terisi."
        ),
        "novelty": (
            "Kartu AK/I diterbitkan secara elektronik setelah verifikasi NIK otomatis. Profil "
            "keterampilan pencari kerja dicocokkan dengan lowongan yang diunggah perusahaan, "
            "dan kedua pihak mendapat pemberitahuan bila ada kecocokan."
        ),
        "implementation": (
            "Beroperasi sejak Mei 2024 dengan 418 perusahaan terdaftar, termasuk perusahaan di "
            "kawasan industri Kalidoni dan Plaju. Dinas menyediakan pojok bantuan bagi warga "
            "yang tidak memiliki ponsel pintar."
        ),
        "impact": (
            "Waktu pembuatan kartu turun dari setengah hari menjadi rata-rata 12 menit. Dari "
            "31.600 pencari kerja terdaftar, 5.240 orang tercatat diterima bekerja melalui "
            "pencocokan lowongan pada 2025."
        ),
    },
    {
        "org": "dispusip",
        "title": "PUSTAKA BIDUK: Perpustakaan Keliling Menyusuri Kampung Tepian Musi",
        "summary": (
            "Perahu perpustakaan yang singgah terjadwal di kampung-kampung tepian Sungai Musi "
            "dan anak-anak sungainya untuk membawa buku dan kegiatan literasi."
        ),
        "problem": (
            "Anak-anak di kampung tepian sungai seperti 1 Ulu, Kertapati dan Bagus Kuning jauh "
            "dari perpustakaan dan toko buku. Tingkat kegemaran membaca di kawasan itu "
            "tercatat jauh di bawah rata-rata kota."
        ),
        "novelty": (
            "Sebuah perahu ketek dimodifikasi menjadi perpustakaan terapung dengan 1.500 "
            "judul buku, tablet baca dan panggung dongeng. Buku dapat dipinjam dan dititipkan "
            "di rumah baca warga hingga kunjungan berikutnya."
        ),
        "implementation": (
            "Beroperasi sejak 2024 dengan rute ke 14 dermaga setiap Sabtu dan Minggu. "
            "Kegiatan didukung pustakawan dinas, relawan mahasiswa dan komunitas pendongeng "
            "Palembang."
        ),
        "impact": (
            "Sebanyak 8.900 kunjungan anak tercatat pada 2025 dan 21.400 buku dipinjam. "
            "Sembilan rumah baca warga terbentuk di sepanjang rute sebagai titik "
            "peminjaman tetap."
        ),
    },
    # --- Kecamatan/Kelurahan -----------------------------------------------------------------
    {
        "org": "kec-it1",
        "title": "SIMALAM: Pelayanan Administrasi Malam Hari bagi Pekerja dan Pedagang",
        "summary": (
            "Kantor kecamatan membuka layanan administrasi pada malam hari agar pedagang "
            "Pasar 16 Ilir dan pekerja tidak perlu izin kerja untuk mengurus dokumen."
        ),
        "problem": (
            "Sebagian besar warga Ilir Timur I bekerja sebagai pedagang dan karyawan toko yang "
            "baru pulang menjelang magrib. Mereka terpaksa meninggalkan lapak atau memotong "
            "upah harian untuk mengurus surat di jam kerja kantor."
        ),
        "novelty": (
            "Layanan PATEN dibuka setiap Selasa dan Kamis pukul 18.30-21.00 dengan petugas "
            "bergiliran dan lembur yang diganti dengan jam kerja fleksibel. Warga juga dapat "
            "memesan nomor antrean malam melalui WhatsApp."
        ),
        "implementation": (
            "Dijalankan sejak Juli 2024 dengan enam pegawai yang bertugas bergiliran, tanpa "
            "tambahan anggaran selain listrik. Pengaturan jam kerja ditetapkan melalui "
            "keputusan camat."
        ),
        "impact": (
            "Sebanyak 3.480 warga dilayani pada jam malam selama 2025, atau 31% dari total "
            "layanan kecamatan. Indeks kepuasan masyarakat naik dari 82,4 menjadi 90,1."
        ),
    },
    {
        "org": "kec-sako",
        "title": "PATEN ANTAR: Dokumen Layanan Kecamatan Diantar ke Rumah oleh Ojek Mitra",
        "summary": (
            "Dokumen yang sudah selesai diproses di kecamatan diantar ke rumah warga oleh ojek "
            "pangkalan mitra dengan ongkos tetap Rp 10.000."
        ),
        "problem": (
            "Warga Sako harus datang dua kali ke kantor kecamatan: sekali untuk mengajukan dan "
            "sekali untuk mengambil dokumen. Banyak dokumen menumpuk tidak diambil hingga "
            "berbulan-bulan."
        ),
        "novelty": (
            "Kecamatan bermitra dengan 40 tukang ojek pangkalan yang terdaftar, berseragam dan "
            "membawa kartu identitas. Serah terima dokumen dicatat dengan foto dan tanda "
            "tangan elektronik penerima di ponsel pengantar."
        ),
        "implementation": (
            "Dimulai Maret 2024 di empat kelurahan dan kini berlaku untuk seluruh kecamatan. "
            "Ongkos dibayar warga langsung kepada pengantar sehingga tidak membebani APBD."
        ),
        "impact": (
            "Sebanyak 2.760 dokumen diantar pada 2025 tanpa satu pun laporan kehilangan. "
            "Jumlah dokumen tidak diambil turun dari sekitar 300 menjadi 12 berkas, dan "
            "pengojek mitra memperoleh tambahan penghasilan."
        ),
    },
    {
        "org": "kec-kertapati",
        "title": "DASHAT IKAN SUNGAI: Dapur Sehat Atasi Stunting dengan Pangan Lokal",
        "summary": (
            "Dapur bersama di setiap kelurahan yang mengolah ikan sungai lokal menjadi "
            "makanan tambahan bergizi untuk balita berisiko stunting."
        ),
        "problem": (
            "Kertapati memiliki angka balita stunting tertinggi ketiga di Palembang. "
            "Pemberian makanan tambahan berupa biskuit pabrikan kurang disukai anak dan "
            "tidak mengubah kebiasaan makan keluarga."
        ),
        "novelty": (
            "Ibu-ibu PKK mengolah ikan gabus, patin dan baung dari nelayan setempat menjadi "
            "menu seperti pempek ikan tanpa tepung berlebih dan bubur ikan. Resep disusun "
            "bersama ahli gizi puskesmas dan diajarkan ulang kepada keluarga sasaran."
        ),
        "implementation": (
            "Enam dapur beroperasi sejak Januari 2024, didanai dana kelurahan dan CSR "
            "perusahaan di sekitar Kertapati. Makanan diantar tiga kali seminggu selama "
            "90 hari untuk setiap balita sasaran."
        ),
        "impact": (
            "Dari 412 balita sasaran, 71% mengalami kenaikan berat badan sesuai standar "
            "setelah 90 hari. Prevalensi stunting di kecamatan turun dari 17,2% menjadi "
            "12,9% dalam dua tahun."
        ),
    },
    {
        "org": "kec-jakabaring",
        "title": "LAYAN SETARA: Pelayanan Ramah Disabilitas dengan Juru Bahasa Isyarat",
        "summary": (
            "Kantor kecamatan menyediakan juru bahasa isyarat melalui panggilan video, jalur "
            "landai, dan layanan rumah bagi warga penyandang disabilitas."
        ),
        "problem": (
            "Warga tuli dan pengguna kursi roda kesulitan mengakses layanan kecamatan yang "
            "berada di lantai dua tanpa lift. Sebagian besar dari mereka mengandalkan "
            "keluarga untuk mengurus dokumen, sehingga data dan hak mereka sering terabaikan."
        ),
        "novelty": (
            "Kecamatan bekerja sama dengan Gerkatin Sumatera Selatan untuk menyediakan juru "
            "bahasa isyarat lewat panggilan video di loket. Layanan dipindah ke lantai dasar "
            "dan petugas melakukan kunjungan rumah bagi warga yang tidak dapat hadir."
        ),
        "implementation": (
            "Berjalan sejak 2024 dengan renovasi ringan senilai Rp 48 juta dan pelatihan "
            "bahasa isyarat dasar bagi sepuluh pegawai. Data warga disabilitas dipetakan "
            "bersama kader kelurahan."
        ),
        "impact": (
            "Sebanyak 364 warga penyandang disabilitas tercatat dan 291 di antaranya telah "
            "memperoleh KTP-el dan kartu penyandang disabilitas. Kecamatan menjadi rujukan "
            "studi tiru bagi empat kecamatan lain."
        ),
    },
    {
        "org": "kec-gandus",
        "title": "SIPETA: Sistem Informasi Peta Bidang Tanah Tingkat Kecamatan",
        "summary": (
            "Peta bidang tanah digital yang mencegah terbitnya surat keterangan tanah ganda "
            "di atas lahan yang sama."
        ),
        "problem": (
            "Gandus masih memiliki banyak lahan kebun dan rawa tanpa sertifikat, sehingga "
            "surat keterangan tanah menjadi alas hak utama. Tumpang tindih surat memicu "
            "sengketa, dengan 58 kasus tercatat di kecamatan pada 2023."
        ),
        "novelty": (
            "Setiap permohonan surat keterangan tanah wajib disertai titik koordinat yang "
            "diambil petugas dengan GPS dan dipetakan pada peta kecamatan. Sistem menolak "
            "otomatis permohonan yang bertumpang tindih dengan bidang yang sudah terdaftar."
        ),
        "implementation": (
            "Dikembangkan bersama Kantor Pertanahan Kota Palembang dan diterapkan sejak "
            "April 2024 di lima kelurahan. Sebanyak 3.900 bidang lama telah didigitalkan "
            "dari arsip kertas."
        ),
        "impact": (
            "Jumlah sengketa tanah yang masuk ke kecamatan turun dari 58 menjadi 14 kasus "
            "per tahun. Waktu penerbitan surat keterangan tanah turun dari 21 hari menjadi "
            "5 hari kerja."
        ),
    },
    {
        "org": "kec-aal",
        "title": "KLINIK HUKUM AAL: Konsultasi Hukum Gratis di Kantor Kecamatan",
        "summary": (
            "Layanan konsultasi hukum gratis setiap pekan di kantor kecamatan bersama dosen "
            "dan mahasiswa fakultas hukum serta advokat pro bono."
        ),
        "problem": (
            "Warga kerap menghadapi masalah hukum sehari-hari seperti utang piutang, waris, "
            "sengketa sewa dan pinjaman daring ilegal tanpa tahu harus bertanya ke mana. Jasa "
            "advokat dianggap mahal dan jauh dari jangkauan."
        ),
        "novelty": (
            "Kecamatan menjadi tuan rumah klinik hukum setiap Rabu, dengan jadwal konsultasi "
            "yang dapat dipesan melalui WhatsApp. Kasus yang memerlukan pendampingan di "
            "pengadilan dirujuk ke pos bantuan hukum yang terakreditasi."
        ),
        "implementation": (
            "Berdasarkan nota kesepahaman dengan Universitas Muhammadiyah Palembang dan "
            "Peradi sejak 2024. Kecamatan hanya menyediakan ruangan dan konsumsi sederhana."
        ),
        "impact": (
            "Sebanyak 612 warga berkonsultasi pada 2025 dan 74 kasus dirujuk untuk "
            "pendampingan lanjutan. Sebanyak 89 korban pinjaman daring ilegal berhasil "
            "dibantu melapor ke OJK dan kepolisian."
        ),
    },
    {
        "org": "kec-su1",
        "title": "PERAHU PILAH: Pengangkutan Sampah Rumah Panggung Tepian Musi",
        "summary": (
            "Perahu pengangkut sampah yang menjemput sampah terpilah dari rumah panggung di "
            "atas air yang tidak terjangkau gerobak maupun truk."
        ),
        "problem": (
            "Sekitar 1.800 rumah panggung di tepian Musi wilayah Seberang Ulu I tidak "
            "memiliki akses ke tempat penampungan sementara. Sebagian besar warga membuang "
            "sampah langsung ke sungai."
        ),
        "novelty": (
            "Tiga perahu ketek bermotor berkeliling tiga kali seminggu menjemput sampah yang "
            "sudah dipilah warga ke dalam karung berwarna. Sampah plastik bernilai disalurkan "
            "ke bank sampah dan hasil penjualannya dipakai untuk membeli bahan bakar perahu."
        ),
        "implementation": (
            "Berjalan sejak Oktober 2023 dengan operator dari karang taruna dan pengadaan "
            "perahu dari dana CSR. Iuran warga Rp 5.000 per bulan dikelola kelompok "
            "swadaya masyarakat."
        ),
        "impact": (
            "Sampah yang terangkut mencapai 9,5 ton per bulan dari 1.420 rumah tangga. Hasil "
            "pemantauan DLH menunjukkan timbunan sampah di bawah kolong rumah berkurang 70%."
        ),
    },
    {
        "org": "kec-kalidoni",
        "title": "SIKAT: Sistem Informasi Kependudukan Akurat Tingkat RT",
        "summary": (
            "Pendataan digital warga pendatang, penghuni kos dan pekerja kontrak oleh ketua RT "
            "untuk memastikan mereka tercatat dan terlayani."
        ),
        "problem": (
            "Kawasan industri di Kalidoni menarik ribuan pekerja kontrak yang tinggal di "
            "rumah kos tanpa melapor. Kecamatan kesulitan merencanakan layanan kesehatan, "
            "keamanan dan bantuan karena jumlah penduduk riil jauh berbeda dari data resmi."
        ),
        "novelty": (
            "Pemilik kos wajib mendaftarkan penghuni melalui aplikasi sederhana yang "
            "diverifikasi ketua RT, lalu dipadankan dengan data Disdukcapil. Pendatang yang "
            "belum memiliki surat pindah mendapat pendampingan untuk mengurusnya."
        ),
        "implementation": (
            "Diterapkan sejak Juni 2024 di 212 RT dengan dasar surat edaran camat. Sebanyak "
            "760 pemilik kos dan 212 ketua RT telah mendapat pelatihan."
        ),
        "impact": (
            "Sebanyak 9.340 penduduk non-permanen kini tercatat, dan 2.115 di antaranya telah "
            "mengurus surat keterangan tinggal. Kecamatan menggunakan data ini untuk "
            "menambah dua jadwal posbindu bagi pekerja."
        ),
    },
    {
        "org": "kel-20ilird4",
        "title": "SI-PENTAR: Surat Pengantar RT/RW Digital Berkode QR",
        "summary": (
            "Surat pengantar RT dan RW dibuat dan ditandatangani secara elektronik, lalu "
            "dicek keasliannya di kelurahan cukup dengan memindai kode QR."
        ),
        "problem": (
            "Warga harus mencari ketua RT dan RW yang sering tidak berada di rumah sebelum "
            "mengurus surat di kelurahan. Surat pengantar palsu juga beberapa kali ditemukan, "
            "terutama untuk keperluan pinjaman."
        ),
        "novelty": (
            "Ketua RT dan RW menyetujui permohonan surat dari ponsel masing-masing, dan surat "
            "pengantar terbit dengan kode QR unik. Petugas kelurahan memindai kode tersebut "
            "untuk memastikan keaslian dan langsung menarik data pemohon."
        ),
        "implementation": (
            "Diterapkan di seluruh 46 RT sejak Januari 2025 setelah pelatihan bagi ketua RT "
            "dan RW. Aplikasi dikembangkan oleh pemuda kelurahan dengan biaya Rp 15 juta."
        ),
        "impact": (
            "Waktu memperoleh surat pengantar turun dari rata-rata dua hari menjadi "
            "empat jam. Tidak ada lagi temuan surat pengantar palsu sejak sistem diterapkan."
        ),
    },
    {
        "org": "kel-sialang",
        "title": "LAHAN TIDUR JADI LUMBUNG: Kebun Pangan Warga di Lahan Kosong",
        "summary": (
            "Lahan kosong milik pribadi dan pemerintah dipinjam pakai untuk kebun sayur "
            "kelompok wanita tani guna menekan pengeluaran pangan rumah tangga."
        ),
        "problem": (
            "Di Sialang terdapat sekitar 11 hektare lahan tidur yang ditumbuhi semak dan "
            "menjadi tempat pembuangan sampah liar. Pada saat yang sama, harga cabai dan "
            "sayuran kerap melonjak dan membebani keluarga berpenghasilan rendah."
        ),
        "novelty": (
            "Kelurahan memfasilitasi perjanjian pinjam pakai tiga tahun antara pemilik lahan "
            "dan kelompok wanita tani, dengan kelurahan sebagai penjamin. Hasil panen dijual "
            "di lapak kelurahan dengan harga di bawah pasar bagi keluarga penerima bantuan."
        ),
        "implementation": (
            "Dimulai pada 2024 di 2,6 hektare dengan tujuh kelompok wanita tani beranggotakan "
            "140 orang. Bibit dan pelatihan didukung Dinas Ketahanan Pangan dan penyuluh "
            "pertanian."
        ),
        "impact": (
            "Kebun menghasilkan rata-rata 3,2 ton sayuran per bulan. Anggota kelompok "
            "menghemat belanja sayur sekitar Rp 250.000 per bulan, dan dua titik pembuangan "
            "sampah liar hilang."
        ),
    },
    {
        "org": "kel-talangkelapa",
        "title": "MPA TALANG KELAPA: Masyarakat Peduli Api untuk Lahan Gambut",
        "summary": (
            "Regu warga yang berpatroli di lahan gambut, mengelola sumur bor, dan memadamkan "
            "api sejak titik pertama terdeteksi."
        ),
        "problem": (
            "Lahan gambut di pinggiran Talang Kelapa hampir setiap kemarau terbakar dan "
            "menimbulkan kabut asap yang mengganggu sekolah dan penerbangan. Api di gambut "
            "sulit dipadamkan bila terlambat ditangani."
        ),
        "novelty": (
            "Kelurahan memadukan patroli warga dengan pemantauan titik panas dari satelit yang "
            "diteruskan ke grup relawan. Sebanyak 34 sumur bor dibangun di dekat lahan rawan "
            "agar air tersedia tanpa menunggu mobil tangki."
        ),
        "implementation": (
            "Regu beranggotakan 45 warga dibentuk pada 2023 dan dilatih Manggala Agni serta "
            "BPBD. Patroli dilakukan harian pada Juli-Oktober dengan insentif dari dana "
            "kelurahan."
        ),
        "impact": (
            "Luas lahan terbakar di wilayah kelurahan turun dari 64 hektare pada 2023 menjadi "
            "7 hektare pada 2025. Rata-rata waktu dari deteksi hingga api padam turun dari "
            "dua hari menjadi lima jam."
        ),
    },
    {
        "org": "kel-baguskuning",
        "title": "SANIMAS TEPIAN: Tangki Septik Komunal untuk Rumah Panggung",
        "summary": (
            "Tangki septik komunal kedap air yang melayani rumah panggung di tepian sungai "
            "sehingga limbah tinja tidak lagi dibuang langsung ke Musi."
        ),
        "problem": (
            "Lebih dari 600 rumah di Bagus Kuning memiliki jamban cemplung yang langsung "
            "membuang limbah ke sungai. Kasus diare pada balita di kelurahan ini tercatat dua "
            "kali lipat rata-rata kota."
        ),
        "novelty": (
            "Pipa dari setiap jamban disambungkan ke tangki septik komunal berbahan fiber yang "
            "dipasang di atas tiang, cocok untuk kawasan pasang surut. Pengelolaan dan "
            "penyedotan berkala diatur oleh kelompok pemanfaat dengan iuran bulanan."
        ),
        "implementation": (
            "Dibangun bertahap sejak 2024 dengan dukungan DAK sanitasi dan swadaya warga "
            "berupa tenaga kerja. Puskesmas Plaju melakukan edukasi perilaku hidup bersih."
        ),
        "impact": (
            "Sebanyak 412 rumah terlayani oleh 18 unit tangki septik komunal. Kasus diare "
            "balita yang tercatat di puskesmas turun 43% dalam satu tahun."
        ),
    },
    {
        "org": "kel-34ulu",
        "title": "KENCAN: Kelurahan Cegah Nikah Anak",
        "summary": (
            "Gerakan lintas tokoh untuk mencegah perkawinan anak melalui konseling keluarga, "
            "pendataan remaja rentan, dan kesepakatan dengan penghulu setempat."
        ),
        "problem": (
            "Pada 2023 tercatat 27 perkawinan di bawah usia 19 tahun di kelurahan ini, "
            "sebagian besar diikuti putus sekolah. Permohonan dispensasi kawin sering diajukan "
            "tanpa konseling terlebih dahulu."
        ),
        "novelty": (
            "Setiap rencana pernikahan remaja terdeteksi sejak dini melalui tokoh agama, "
            "ketua RT dan guru, lalu keluarga diundang ke sesi konseling bersama psikolog "
            "puskesmas. Remaja putri yang rentan didampingi untuk tetap sekolah atau ikut "
            "pelatihan kerja."
        ),
        "implementation": (
            "Dideklarasikan pada Februari 2024 dengan keterlibatan KUA Seberang Ulu I, "
            "puskesmas, sekolah dan majelis taklim. Kelurahan mengalokasikan Rp 20 juta per "
            "tahun untuk kegiatan konseling dan pelatihan."
        ),
        "impact": (
            "Perkawinan anak turun dari 27 kasus pada 2023 menjadi 6 kasus pada 2025. "
            "Sebanyak 38 remaja yang didampingi kembali bersekolah atau melanjutkan ke "
            "pelatihan kerja."
        ),
    },
    {
        "org": "kel-pulokerto",
        "title": "ALSINTAN BERGILIR: Pinjam Traktor dan Pompa Air melalui Aplikasi Kelurahan",
        "summary": (
            "Jadwal pemakaian alat dan mesin pertanian milik kelompok tani diatur lewat "
            "aplikasi sehingga pemakaiannya adil dan tercatat."
        ),
        "problem": (
            "Petani padi di Pulokerto berebut traktor dan pompa bantuan pemerintah yang "
            "jumlahnya terbatas. Alat sering hanya dikuasai segelintir orang, sementara petani "
            "lain terlambat tanam dan kehilangan satu musim."
        ),
        "novelty": (
            "Petani memesan jadwal alat melalui aplikasi atau lewat penyuluh, dengan urutan "
            "berdasarkan kalender tanam dan luas sawah. Setiap pemakaian mencatat jam mesin "
            "sehingga biaya perawatan dibagi secara proporsional."
        ),
        "implementation": (
            "Diterapkan sejak musim tanam Oktober 2024 untuk 14 traktor tangan dan 9 pompa "
            "air milik enam kelompok tani. Penyuluh pertanian lapangan bertindak sebagai "
            "pengelola jadwal."
        ),
        "impact": (
            "Seluruh 312 hektare sawah berhasil ditanam dalam rentang tiga minggu, "
            "dibandingkan tujuh minggu sebelumnya. Indeks pertanaman naik dari satu menjadi "
            "dua kali setahun di 180 hektare."
        ),
    },
    {
        "org": "kel-kebunbunga",
        "title": "SIPAKAT: Sistem Pelaporan Kematian Akurat dan Tepat Waktu",
        "summary": (
            "Pengurus masjid dan TPU melaporkan setiap kematian ke kelurahan sehingga akta "
            "kematian terbit dalam tiga hari tanpa keluarga harus mengurusnya."
        ),
        "problem": (
            "Sebagian besar kematian di Kebun Bunga tidak dilaporkan, sehingga nama almarhum "
            "tetap tercantum dalam data pemilih dan penerima bantuan. Keluarga baru mengurus "
            "akta kematian ketika diperlukan untuk waris atau pensiun, sering bertahun-tahun "
            "kemudian."
        ),
        "novelty": (
            "Pengurus masjid, gereja dan pengelola TPU diberi formulir digital sederhana untuk "
            "melaporkan kematian pada hari yang sama. Kelurahan meneruskan laporan ke "
            "Disdukcapil dan mengantar akta kematian beserta KK baru kepada keluarga."
        ),
        "implementation": (
            "Berjalan sejak Maret 2024 dengan 23 rumah ibadah dan dua TPU sebagai pelapor. "
            "Pelapor mendapat apresiasi tahunan dari kelurahan."
        ),
        "impact": (
            "Cakupan kepemilikan akta kematian naik dari 31% menjadi 92% dari kematian yang "
            "terjadi. Sebanyak 164 data penerima bantuan atas nama almarhum berhasil "
            "dikoreksi."
        ),
    },
    # --- Puskesmas, RSUD dan BUMD ------------------------------------------------------------
    {
        "org": "pkm-dempo",
        "title": "SI-ANTRE DEMPO: Antrean Daring dan Pengingat Jadwal via WhatsApp",
        "summary": (
            "Pasien mengambil nomor antrean dari rumah dan menerima pesan ketika gilirannya "
            "sudah dekat, sehingga tidak perlu menunggu lama di puskesmas."
        ),
        "problem": (
            "Pasien datang sejak pukul enam pagi untuk mengambil nomor antrean, padahal "
            "pelayanan baru dimulai pukul setengah delapan. Waktu tunggu rata-rata mencapai "
            "dua setengah jam dan ruang tunggu selalu penuh sesak."
        ),
        "novelty": (
            "Nomor antrean dapat diambil melalui WhatsApp hingga satu hari sebelumnya, dengan "
            "perkiraan jam dilayani. Sistem mengirim pengingat saat tersisa lima nomor, dan "
            "kuota khusus tetap disediakan bagi lansia yang datang langsung."
        ),
        "implementation": (
            "Dibangun dengan layanan chatbot berbiaya Rp 1,2 juta per bulan dan diterapkan "
            "sejak Februari 2024 untuk poli umum, gigi dan KIA. Petugas pendaftaran dilatih "
            "mengelola antrean campuran daring dan langsung."
        ),
        "impact": (
            "Waktu tunggu rata-rata turun dari 150 menit menjadi 38 menit. Sebanyak 64% "
            "pasien kini mendaftar secara daring, dan keluhan terkait antrean turun dari "
            "rata-rata 22 menjadi 3 per bulan."
        ),
    },
    {
        "org": "pkm-sako",
        "title": "POS LANSIA KELILING: Pemeriksaan Kesehatan Lansia dari Rumah ke Rumah",
        "summary": (
            "Tim puskesmas dan kader mendatangi lansia yang tidak mampu ke posyandu untuk "
            "pemeriksaan rutin, pengobatan dan skrining risiko jatuh."
        ),
        "problem": (
            "Dari sekitar 5.200 lansia di wilayah kerja Puskesmas Sako, hanya 38% yang "
            "rutin datang ke posyandu lansia. Lansia yang tinggal sendiri atau sulit berjalan "
            "sering baru diketahui sakit ketika kondisinya sudah berat."
        ),
        "novelty": (
            "Sepeda motor roda tiga dimodifikasi menjadi pos lansia bergerak yang membawa alat "
            "cek tekanan darah, gula darah, kolesterol dan obat-obatan dasar. Kunjungan "
            "dijadwalkan berdasarkan peta lansia risiko tinggi yang dibuat kader."
        ),
        "implementation": (
            "Beroperasi sejak 2024 empat hari per pekan dengan satu perawat, satu bidan dan "
            "kader setempat. Biaya operasional dibiayai dana BOK sebesar Rp 42 juta per tahun."
        ),
        "impact": (
            "Cakupan skrining lansia naik dari 38% menjadi 81%. Sebanyak 614 lansia "
            "hipertensi kini terkontrol, dan 47 lansia dengan kondisi berat berhasil dirujuk "
            "lebih awal ke rumah sakit."
        ),
    },
    {
        "org": "pkm-merdeka",
        "title": "VIDOT: Video Observed Therapy untuk Pasien Tuberkulosis",
        "summary": (
            "Pengawasan minum obat TBC melalui panggilan video sehingga pasien tidak perlu "
            "datang setiap hari dan tetap patuh berobat sampai sembuh."
        ),
        "problem": (
            "Pengobatan TBC berlangsung enam bulan dan banyak pasien usia kerja berhenti di "
            "tengah jalan. Angka putus berobat di puskesmas mencapai 14% pada 2023, jauh di "
            "atas target nasional."
        ),
        "novelty": (
            "Pasien merekam atau melakukan panggilan video saat menelan obat, dan petugas "
            "memverifikasi setiap hari melalui aplikasi. Pasien yang absen dua hari "
            "dikunjungi kader TBC dalam 24 jam."
        ),
        "implementation": (
            "Diterapkan sejak April 2024 untuk pasien TBC sensitif obat yang memiliki ponsel "
            "pintar, bekerja sama dengan komunitas penyintas TBC. Pasien tanpa ponsel tetap "
            "didampingi pengawas menelan obat dari keluarga."
        ),
        "impact": (
            "Dari 186 pasien yang mengikuti VIDOT, angka putus berobat turun menjadi 3%. "
            "Angka keberhasilan pengobatan naik dari 79% menjadi 93%."
        ),
    },
    {
        "org": "pkm-kenten",
        "title": "STIKER MERAH: Penandaan dan Pendampingan Ibu Hamil Risiko Tinggi",
        "summary": (
            "Rumah ibu hamil risiko tinggi diberi stiker bersandi agar tetangga, kader dan "
            "ojek siaga tahu ke mana harus bergerak saat terjadi kegawatan."
        ),
        "problem": (
            "Keterlambatan merujuk ibu hamil dengan komplikasi masih menjadi penyebab utama "
            "kematian ibu di wilayah kerja Puskesmas Kenten. Kader sering tidak tahu ibu mana "
            "yang berisiko dan kendaraan darurat tidak disiapkan sebelumnya."
        ),
        "novelty": (
            "Setiap ibu hamil risiko tinggi memiliki rencana persalinan tertulis, donor darah "
            "cadangan, dan kendaraan siaga dari warga. Stiker di pintu rumah memuat nomor "
            "bidan dan rumah sakit tujuan yang sudah disepakati."
        ),
        "implementation": (
            "Dijalankan sejak 2023 bersama 86 kader dan 24 pengemudi ambulans desa serta ojek "
            "siaga. Bidan memperbarui data setiap bulan dalam kohort ibu hamil."
        ),
        "impact": (
            "Sebanyak 318 ibu hamil risiko tinggi telah didampingi dan seluruhnya bersalin di "
            "fasilitas kesehatan. Tidak ada kematian ibu di wilayah kerja sejak 2024, "
            "dibandingkan dua kasus pada 2022."
        ),
    },
    {
        "org": "pkm-plaju",
        "title": "POSBINDU PASAR: Skrining Hipertensi dan Diabetes bagi Pedagang",
        "summary": (
            "Pos pembinaan terpadu penyakit tidak menular hadir di pasar pada jam sepi agar "
            "pedagang dapat memeriksakan diri tanpa meninggalkan lapak."
        ),
        "problem": (
            "Pedagang Pasar Plaju dan pasar kaget di sekitarnya bekerja sejak dini hari dan "
            "hampir tidak pernah ke puskesmas. Banyak yang baru mengetahui hipertensi atau "
            "diabetes setelah mengalami stroke."
        ),
        "novelty": (
            "Petugas dan kader membuka pos di lorong pasar setiap Kamis pukul 10.00-13.00 dan "
            "mendatangi lapak pedagang yang tidak dapat meninggalkan dagangannya. Pedagang "
            "dengan hasil tidak normal langsung dibuatkan jadwal kontrol dan pengingat minum "
            "obat."
        ),
        "implementation": (
            "Berjalan sejak Juni 2024 bekerja sama dengan Perumda Pasar Palembang Jaya dan "
            "paguyuban pedagang. Bahan habis pakai dibiayai dana kapitasi JKN."
        ),
        "impact": (
            "Sebanyak 1.284 pedagang diskrining, 312 terdeteksi hipertensi dan 97 diabetes "
            "yang sebelumnya tidak diketahui. Sebanyak 68% dari mereka kini rutin kontrol "
            "setiap bulan."
        ),
    },
    {
        "org": "pkm-kertapati",
        "title": "JIWA SEHAT KITO: Pendampingan Orang dengan Gangguan Jiwa Berbasis Keluarga",
        "summary": (
            "Pendampingan rutin ke rumah bagi orang dengan gangguan jiwa dan keluarganya "
            "untuk memastikan minum obat teratur dan menghapus pemasungan."
        ),
        "problem": (
            "Pada 2023 masih ditemukan lima kasus pemasungan di wilayah kerja Puskesmas "
            "Kertapati. Banyak ODGJ putus obat karena keluarga tidak mampu mengantar ke "
            "rumah sakit jiwa setiap bulan."
        ),
        "novelty": (
            "Obat jiwa rujuk balik disediakan di puskesmas dan diantar ke rumah oleh perawat "
            "jiwa bersama kader. Keluarga mengikuti kelompok dukungan bulanan untuk belajar "
            "mengenali tanda kekambuhan."
        ),
        "implementation": (
            "Dijalankan sejak 2023 bekerja sama dengan RS Ernaldi Bahar dan Dinas Sosial. "
            "Dua perawat jiwa dan 30 kader kesehatan jiwa telah dilatih."
        ),
        "impact": (
            "Seluruh lima pasien pasung telah dibebaskan dan dirawat. Dari 142 ODGJ berat "
            "yang terdata, 88% kini minum obat teratur dan angka rawat inap ulang turun "
            "separuhnya."
        ),
    },
    {
        "org": "pkm-sabokingking",
        "title": "KEJAR IMUN: Pelacakan Balita Belum Imunisasi Lengkap",
        "summary": (
            "Daftar nama balita yang tertinggal imunisasi dihasilkan otomatis setiap pekan "
            "dan ditindaklanjuti kunjungan rumah oleh kader."
        ),
        "problem": (
            "Cakupan imunisasi dasar lengkap di wilayah Sabokingking hanya 72% pada 2023, "
            "dan sempat terjadi kasus campak. Petugas tidak memiliki daftar nama anak yang "
            "terlambat imunisasi karena data masih tercatat di buku register."
        ),
        "novelty": (
            "Register imunisasi dipindahkan ke lembar kerja bersama yang menghitung jadwal "
            "setiap anak dan menandai yang terlambat. Kader menerima daftar mingguan per RT "
            "dan dapat mencatat alasan penolakan untuk ditindaklanjuti tokoh agama."
        ),
        "implementation": (
            "Dimulai Januari 2024 tanpa biaya perangkat lunak, memanfaatkan ponsel kader dan "
            "satu komputer puskesmas. Sesi imunisasi kejar diadakan setiap Sabtu kedua."
        ),
        "impact": (
            "Cakupan imunisasi dasar lengkap naik dari 72% menjadi 94% dalam dua tahun. "
            "Tidak ada kasus campak baru sejak pertengahan 2024."
        ),
    },
    {
        "org": "pkm-4ulu",
        "title": "JUMANTIK CILIK: Siswa SD sebagai Juru Pemantau Jentik",
        "summary": (
            "Siswa sekolah dasar dilatih memeriksa jentik nyamuk di rumah dan sekolah, lalu "
            "melaporkannya melalui kartu pantau pekanan."
        ),
        "problem": (
            "Wilayah 4 Ulu yang padat dan banyak genangan pasang surut selalu masuk daftar "
            "kelurahan dengan kasus demam berdarah tertinggi. Angka bebas jentik hanya 78%, "
            "jauh di bawah target 95%."
        ),
        "novelty": (
            "Dua siswa per kelas diangkat menjadi jumantik cilik dengan senter, kartu pantau "
            "dan lencana. Hasil pemantauan dari rumah siswa direkap guru UKS dan dilaporkan "
            "ke puskesmas setiap Jumat."
        ),
        "implementation": (
            "Diterapkan sejak 2024 di 12 sekolah dasar dengan 410 jumantik cilik. Sekolah "
            "dengan angka bebas jentik terbaik mendapat penghargaan setiap semester."
        ),
        "impact": (
            "Angka bebas jentik naik dari 78% menjadi 93%. Kasus demam berdarah di wilayah "
            "kerja turun dari 64 kasus pada 2023 menjadi 21 kasus pada 2025."
        ),
    },
    {
        "org": "pkm-talangratu",
        "title": "APOTEK ANTAR: Pengantaran Obat Rutin bagi Pasien Prolanis",
        "summary": (
            "Obat bulanan pasien hipertensi dan diabetes diantar ke rumah setelah konsultasi "
            "singkat melalui telepon dengan dokter."
        ),
        "problem": (
            "Pasien penyakit kronis harus datang setiap bulan hanya untuk mengambil obat yang "
            "sama, sehingga antrean apotek puskesmas memanjang. Banyak pasien lansia melewatkan "
            "jadwal dan akhirnya putus obat."
        ),
        "novelty": (
            "Dokter melakukan telekonsultasi singkat, lalu obat dikemas per pasien dengan label "
            "jadwal minum bergambar. Pengantaran dilakukan kader bermotor dan pasien tetap "
            "wajib datang langsung setiap tiga bulan untuk pemeriksaan laboratorium."
        ),
        "implementation": (
            "Dijalankan sejak Agustus 2024 untuk 520 pasien Prolanis. Ongkos antar dibiayai "
            "dari dana kapitasi JKN sebesar Rp 7.500 per pengantaran."
        ),
        "impact": (
            "Kepatuhan pengambilan obat naik dari 61% menjadi 90%. Waktu tunggu di apotek "
            "puskesmas turun dari 45 menit menjadi 15 menit karena antrean pasien kronis "
            "berkurang."
        ),
    },
    {
        "org": "pkm-sukarami",
        "title": "MATA CERIA: Skrining Kelainan Refraksi dan Kacamata Gratis untuk Siswa",
        "summary": (
            "Pemeriksaan tajam penglihatan bagi seluruh siswa SD dan SMP, dilanjutkan "
            "pemberian kacamata gratis bagi siswa dari keluarga tidak mampu."
        ),
        "problem": (
            "Banyak siswa kesulitan membaca tulisan di papan tulis tanpa menyadari bahwa "
            "penglihatannya bermasalah. Orang tua jarang memeriksakan mata anak karena biaya "
            "kacamata dianggap mahal."
        ),
        "novelty": (
            "Guru UKS dilatih memakai kartu Snellen dan aplikasi skrining sederhana, lalu "
            "siswa yang tidak lolos diperiksa ulang oleh refraksionis puskesmas. Kacamata "
            "dibuat dengan dukungan CSR optik dan diantar langsung ke sekolah."
        ),
        "implementation": (
            "Dilaksanakan sejak tahun ajaran 2024/2025 di 36 sekolah dengan jumlah siswa "
            "sekitar 14.000. Puskesmas bekerja sama dengan Persatuan Ahli Refraksi Optik "
            "dan dua perusahaan optik."
        ),
        "impact": (
            "Sebanyak 13.210 siswa diskrining dan 1.064 ditemukan mengalami kelainan "
            "refraksi. Sebanyak 742 siswa telah menerima kacamata gratis, dan guru melaporkan "
            "perbaikan konsentrasi belajar."
        ),
    },
    {
        "org": "pkm-basukirahmat",
        "title": "KLINIK BERHENTI MEROKOK: Layanan Konseling bagi Remaja dan Pengemudi Ojol",
        "summary": (
            "Layanan upaya berhenti merokok dengan konseling tatap muka dan pendampingan "
            "WhatsApp selama tiga bulan bagi remaja dan pengemudi ojek daring."
        ),
        "problem": (
            "Survei sekolah menunjukkan 19% siswa SMP di wilayah kerja sudah merokok. "
            "Pengemudi ojek daring yang mangkal di sekitar puskesmas juga memiliki angka "
            "perokok dan hipertensi yang tinggi."
        ),
        "novelty": (
            "Konseling dijadwalkan di luar jam sekolah dan di pangkalan ojek, dilengkapi "
            "pemeriksaan kadar karbon monoksida napas sebagai umpan balik. Peserta didampingi "
            "melalui pesan harian selama 90 hari oleh konselor terlatih."
        ),
        "implementation": (
            "Dibuka sejak Maret 2024 dengan dua konselor dan dukungan komunitas pengemudi "
            "ojek daring. Sekolah merujuk siswa melalui guru BK."
        ),
        "impact": (
            "Dari 356 peserta, 118 orang tidak merokok lagi setelah enam bulan, atau 33%. "
            "Dua pangkalan ojek daring kini menetapkan kawasan tanpa rokok secara sukarela."
        ),
    },
    {
        "org": "rsud-bari",
        "title": "SI BUNDA PULANG: Bayi Lahir Pulang Membawa Akta Kelahiran, KK dan KIA",
        "summary": (
            "Jemput bola akta kelahiran di ruang bersalin, sehingga bayi pulang dari rumah "
            "sakit sudah memiliki akta, KK terbaru dan Kartu Identitas Anak."
        ),
        "problem": (
            "Orang tua baru harus bolak-balik ke kelurahan dan Disdukcapil untuk mengurus akta "
            "kelahiran, yang sering tertunda berbulan-bulan. Bayi tanpa NIK juga sulit "
            "didaftarkan sebagai peserta JKN ketika membutuhkan perawatan lanjutan."
        ),
        "novelty": (
            "Petugas admisi RSUD mengunggah surat keterangan lahir dan berkas orang tua langsung "
            "ke sistem Disdukcapil, dan dokumen terbit sebelum ibu pulang. Bayi sekaligus "
            "didaftarkan sebagai peserta JKN dalam alur yang sama."
        ),
        "implementation": (
            "Berjalan sejak September 2023 berdasarkan perjanjian kerja sama antara RSUD "
            "Palembang BARI, Disdukcapil dan BPJS Kesehatan. Dua petugas admisi dilatih "
            "sebagai operator dan diberi akses terbatas ke aplikasi kependudukan."
        ),
        "impact": (
            "Sebanyak 2.870 bayi pulang dengan akta kelahiran, KK dan KIA pada 2025, atau 94% "
            "dari kelahiran di RSUD. Waktu pengurusan turun dari rata-rata 21 hari menjadi "
            "kurang dari 48 jam tanpa biaya."
        ),
    },
    {
        "org": "pdam",
        "title": "TIRTA CEPAT: Pelaporan Kebocoran Pipa Berbasis Foto dan Lokasi GPS",
        "summary": (
            "Pelanggan dan warga melaporkan kebocoran pipa lewat aplikasi dengan foto dan "
            "titik lokasi, yang langsung diteruskan ke regu perbaikan terdekat."
        ),
        "problem": (
            "Tingkat kehilangan air PDAM Tirta Musi mencapai 32% pada 2023, sebagian besar "
            "karena kebocoran pipa yang terlambat diketahui. Laporan melalui telepon sering "
            "tidak jelas lokasinya sehingga regu perbaikan membuang waktu mencari titik bocor."
        ),
        "novelty": (
            "Laporan memuat foto dan koordinat GPS yang langsung tampil pada peta jaringan "
            "pipa, sehingga sistem dapat menentukan regu dan katup terdekat. Pelapor menerima "
            "foto setelah perbaikan dan poin potongan tagihan untuk laporan yang valid."
        ),
        "implementation": (
            "Diluncurkan Januari 2024 dan terintegrasi dengan sistem informasi geografis "
            "jaringan pipa. Sebanyak 16 regu perbaikan dilengkapi tablet dan dibagi per zona "
            "pelayanan."
        ),
        "impact": (
            "Rata-rata waktu perbaikan kebocoran turun dari 3 hari menjadi 8 jam. Tingkat "
            "kehilangan air turun menjadi 26,5%, setara dengan tambahan air untuk sekitar "
            "11.000 sambungan rumah."
        ),
    },
    {
        "org": "pasar",
        "title": "TERA JUJUR: Pos Timbangan Kontrol di Pasar Tradisional",
        "summary": (
            "Pos timbangan kontrol yang terstandar di setiap pasar agar pembeli dapat "
            "memeriksa sendiri berat barang yang dibelinya."
        ),
        "problem": (
            "Keluhan pembeli tentang timbangan curang di pasar tradisional menurunkan "
            "kepercayaan dan membuat warga beralih ke ritel modern. Pemeriksaan tera ulang "
            "hanya dilakukan setahun sekali dan tidak menjangkau semua pedagang."
        ),
        "novelty": (
            "Setiap pasar dilengkapi pos timbangan kontrol digital yang bertera resmi dan "
            "dapat dipakai gratis oleh pembeli. Pedagang yang timbangannya terbukti tidak "
            "akurat wajib tera ulang, dan lapak yang lulus mendapat stiker 'Timbangan Jujur'."
        ),
        "implementation": (
            "Dipasang di 14 pasar sejak 2024 bekerja sama dengan UPTD Metrologi Legal Dinas "
            "Perdagangan. Biaya pengadaan 28 unit timbangan sebesar Rp 196 juta."
        ),
        "impact": (
            "Sebanyak 2.430 timbangan pedagang telah ditera ulang, naik dari 870 pada tahun "
            "sebelumnya. Pengaduan timbangan curang turun 72% dan survei menunjukkan 84% "
            "pembeli merasa lebih percaya berbelanja di pasar."
        ),
    },
    {
        "org": "sp2j",
        "title": "MUSI PINTAR: Informasi Kedatangan Bus Trans Musi secara Real-Time",
        "summary": (
            "Penumpang dapat melihat posisi bus Trans Musi dan perkiraan waktu kedatangan di "
            "ponsel maupun layar halte."
        ),
        "problem": (
            "Penumpang menunggu bus di halte tanpa kepastian, rata-rata 25 menit pada jam "
            "sibuk. Ketidakpastian ini membuat pelajar dan pekerja memilih sepeda motor dan "
            "memperburuk kemacetan."
        ),
        "novelty": (
            "Seluruh armada dipasangi GPS yang datanya diolah menjadi perkiraan waktu tiba dan "
            "ditampilkan di aplikasi, kanal WhatsApp, dan layar di 20 halte utama. Operator "
            "juga memakai data ini untuk mengatur jarak antarbus agar tidak menumpuk."
        ),
        "implementation": (
            "Diterapkan sejak Juni 2024 pada 7 koridor dengan 84 armada. Layar halte dibiayai "
            "melalui kerja sama pemasangan iklan dengan pihak ketiga."
        ),
        "impact": (
            "Waktu tunggu rata-rata turun dari 25 menit menjadi 11 menit. Jumlah penumpang "
            "harian naik 28% dalam setahun, dengan pertumbuhan terbesar dari kalangan pelajar."
        ),
    },
]


JUDGES = [
    {
        "username": "juri1",
        "name": "Dr. Ir. Hendra Saputra, M.T.",
        "affiliation": "Universitas Sriwijaya",
        "offset": 0.3,
        "spread": 1.0,
        "noise": 0.5,
    },
    {
        "username": "juri2",
        "name": "Dr. Ratna Juwita, S.E., Ak., M.Si.",
        "affiliation": "Inspektorat Kota Palembang",
        "offset": -1.5,
        "spread": 1.0,
        "noise": 0.5,
    },
    {
        "username": "juri3",
        "name": "Drs. H. Syamsul Bahri, M.Si.",
        "affiliation": "Dinas Komunikasi dan Informatika Kota Palembang",
        "offset": -0.2,
        "spread": 1.1,
        "noise": 0.5,
    },
    {
        "username": "juri4",
        "name": "Dra. Hj. Nurhayati Rasyid, M.Pd.",
        "affiliation": "Universitas Muhammadiyah Palembang",
        "offset": 1.6,
        "spread": 0.6,
        "noise": 0.4,
    },
    {
        "username": "juri5",
        "name": "Yudi Pranata",
        "affiliation": "Wartawan senior, PWI Sumatera Selatan",
        "offset": 0.4,
        "spread": 0.9,
        "noise": 0.6,
    },
    {
        "username": "juri6",
        "name": "Dr. Fitri Handayani, S.Sos., M.A.P.",
        "affiliation": "UIN Raden Fatah Palembang",
        "offset": -0.4,
        "spread": 1.0,
        "noise": 0.5,
    },
    {
        "username": "juri7",
        "name": "M. Adrian Wijaya, S.H., M.H.",
        "affiliation": "Ombudsman RI Perwakilan Sumatera Selatan",
        "offset": -1.8,
        "spread": 1.0,
        "noise": 0.5,
    },
    {
        "username": "juri8",
        "name": "Prof. Dr. Slamet Widodo, M.Si.",
        "affiliation": "Badan Riset dan Inovasi Daerah Provinsi Sumatera Selatan",
        "offset": 0.1,
        "spread": 1.2,
        "noise": 0.5,
    },
    {
        "username": "juri9",
        "name": "Hj. Siti Aminah, S.Sos.",
        "affiliation": "Forum Masyarakat Peduli Pelayanan Publik Sumatera Selatan",
        "offset": 0.0,
        "spread": 1.0,
        "noise": 1.2,
    },
]


# Conflicts of interest of the demo judges, by OPD key: "works_for" makes the judge a member
# of that OPD (never assigned to its entries); "organisation" and "entry" (the entry of that
# OPD) are conflicts declared by the committee, with the reason given.
CONFLICTS = [
    {"judge": "juri3", "works_for": "diskominfo"},
    {
        "judge": "juri6",
        "organisation": "disdik",
        "reason": "Suami bekerja sebagai kepala bidang di Dinas Pendidikan.",
    },
    {
        "judge": "juri2",
        "entry": "dinsos",
        "reason": "Pernah mengaudit program inovasi ini pada tahun 2025.",
    },
    {
        "judge": "juri7",
        "entry": "pkm-dempo",
        "reason": "Menangani pengaduan masyarakat terkait inovasi ini di Ombudsman.",
    },
]


COMMENTS = {
    "high": [
        "Inovasi sangat relevan dan dampaknya terukur dengan baik.",
        "Data sebelum dan sesudah penerapan meyakinkan; layak diusulkan ke tingkat nasional.",
        "Gagasannya sederhana namun tepat sasaran dan mudah ditiru daerah lain.",
        "Keterlibatan masyarakat sangat kuat sehingga keberlanjutannya terjamin.",
        "Manfaat bagi kelompok rentan terlihat jelas dan didukung bukti lapangan.",
        "Dasar hukum dan dukungan anggaran sudah jelas; inovasi ini patut menjadi contoh.",
    ],
    "mid": [
        "Gagasan baik, tetapi data dampaknya perlu dilengkapi dengan pembanding yang jelas.",
        "Cakupan penerapan masih terbatas; perlu diperluas sebelum dinilai lebih tinggi.",
        "Cukup bermanfaat, namun kebaruannya belum terlalu menonjol dibanding daerah lain.",
        "Keberlanjutan masih bergantung pada satu atau dua orang penggerak.",
        "Proposal rapi, tetapi belum terlihat bagaimana inovasi ini dapat direplikasi.",
        "Perlu penguatan regulasi dan anggaran agar tidak berhenti setelah kompetisi.",
    ],
    "low": [
        "Inovasi ini lebih mirip kegiatan rutin daripada terobosan baru.",
        "Klaim dampak belum didukung data yang dapat diverifikasi.",
        "Masalah yang diangkat kurang jelas kaitannya dengan solusi yang ditawarkan.",
        "Penerapan baru berjalan beberapa bulan sehingga hasilnya belum dapat dinilai.",
        "Manfaat bagi masyarakat luas masih minim dan belum terukur.",
        "Tidak ada dasar hukum maupun rencana pembiayaan untuk keberlanjutan.",
    ],
}
